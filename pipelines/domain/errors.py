"""The error of a settings or holidays file, shared by settings (which reads the one) and workdays (the other)."""

from __future__ import annotations

from pathlib import Path

from pipelines.core.i18n import t


class SettingsError(ValueError):
    """An invalid settings or holidays file: where (file, key, line) and why, in the interface language."""

    def __init__(self, message_key: str, /, *, path: str | Path, key: str | None = None, line: int | None = None,
                 **params: object) -> None:
        self.message_key = message_key
        self.path, self.key, self.line = str(path), key, line
        self.params = params
        super().__init__(self.format("en"))

    def format(self, lang: str = "zh") -> str:
        if self.key and self.line:
            where = t("settings.where.key_line", lang, path=self.path, key=self.key, line=self.line)
        elif self.key:
            where = t("settings.where.key", lang, path=self.path, key=self.key)
        elif self.line:
            where = t("settings.where.line", lang, path=self.path, line=self.line)
        else:
            where = t("settings.where.file", lang, path=self.path)
        return where + t(self.message_key, lang, **self.params)
