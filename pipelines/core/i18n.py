"""The message catalogue: every user-facing string, in Chinese and English.

Messages live in `pipelines/core/messages/<area>.py` as `MESSAGES = {key: (zh, en)}`; this module merges
them into one catalogue (a key defined twice is an error) and formats them. Enum and column labels
come from the contract. Chinese is the default language.
"""

from __future__ import annotations

import importlib
import pkgutil

from pipelines.core import contract

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def _collect() -> dict[str, tuple[str, str]]:
    from pipelines.core import messages

    catalogue: dict[str, tuple[str, str]] = {}
    for mod in sorted(pkgutil.iter_modules(messages.__path__), key=lambda m: m.name):
        part = importlib.import_module(f"pipelines.core.messages.{mod.name}").MESSAGES
        clash = catalogue.keys() & part.keys()
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        catalogue.update(part)
    return catalogue


CATALOGUE: dict[str, tuple[str, str]] = _collect()


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The message `key` in `lang`, formatted with `params` (str.format fields)."""
    zh, en = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


def label(kind: str, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """Label of an enum code (kind: post, level, matter_type, decision, meeting_type, position, outcome)."""
    if code is None:
        return ""
    enum = contract.ENUMS[kind]
    return enum.label(code, lang) if code in enum.labels else code


def table_label(table: str, lang: str = DEFAULT_LANG) -> str:
    return contract.TABLES[table].label(lang)


def column_label(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    return contract.TABLES[table].column(column).header(lang)
