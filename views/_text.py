"""Text is text: every value that comes from an export (a name, a team, a division, a case number, a reason)
goes through `md()` before Streamlit reads it as Markdown (captions, metrics' labels and help, headers,
tabs, toasts, alerts, labels of buttons and links). A roster whose names are `[x](http://…)` or
`![b](http://…)` then draws those characters, never a link or an image that fetches itself."""

from __future__ import annotations

import re

# Every ASCII punctuation character Markdown (and Streamlit's directives: :red[…], :material/…:, $…$) may
# read; a backslash before any of them is always allowed in CommonMark.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(value: object) -> str:
    """`value` as Markdown that shows exactly its characters (line breaks as spaces)."""
    text = "" if value is None else str(value)
    return _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


def md_params(params: dict) -> dict:
    """Every value of a message's parameters escaped (numbers and dates too: they render unchanged)."""
    return {k: md(v) for k, v in params.items()}
