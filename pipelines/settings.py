"""The regulation's *(reading)* choices and limits, read from TOML (defaults + the user's file).

`pipelines/settings.default.toml` holds the defaults, documented. A `settings.toml` beside the store
(or an explicit path) overrides any subset of them. Invalid settings raise `SettingsError`, whose
message exists in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipelines import contract
from pipelines.i18n import t

DEFAULT_FILE = Path(__file__).with_name("settings.default.toml")
USER_FILE_NAME = "settings.toml"
HOLIDAY_FILE_NAMES = ("holidays.csv", "holidays.toml")


class SettingsError(ValueError):
    """An invalid settings file. `format(lang)` gives the reason in the interface language."""

    def __init__(self, message_key: str, /, **params: object) -> None:
        self.message_key = message_key
        self.params = params
        super().__init__(self.format("en"))

    def format(self, lang: str = "zh") -> str:
        return t(self.message_key, lang, **self.params)


@dataclass(frozen=True)
class Settings:
    effective_date: dt.date = dt.date(2023, 1, 1)
    leadership_posts: tuple[str, ...] = ("DEPUTY", "CHIEF", "VP", "PRESIDENT", "COMMITTEE")
    equal_rank_substitution_allowed: bool = True
    temporary_substitution_limit_days: float = 30.0
    undecided_escalation_days: int = 30
    level_limits_workdays: dict[str, float] = field(
        default_factory=lambda: {"TEAM_LEAD": 1, "DEPUTY": 2, "CHIEF": 3, "VP": 5, "PRESIDENT": 5, "COMMITTEE": 20}
    )
    yellow_share: float = 2 / 3
    holidays_file: Path | None = None  # resolved; None = no user holidays file
    source: Path | None = None  # the user's settings file applied, if any

    def limit(self, level: str) -> float:
        return self.level_limits_workdays[level]

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests and scripts)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "effective_date": self.effective_date.isoformat(),
            "leadership_posts": list(self.leadership_posts),
            "equal_rank_substitution_allowed": self.equal_rank_substitution_allowed,
            "temporary_substitution_limit_days": self.temporary_substitution_limit_days,
            "undecided_escalation_days": self.undecided_escalation_days,
            "level_limits_workdays": dict(self.level_limits_workdays),
            "yellow_share": self.yellow_share,
            "holidays_file": str(self.holidays_file) if self.holidays_file else None,
            "source": str(self.source) if self.source else None,
        }


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("settings.error.syntax", path=str(path), reason=str(exc)) from exc
    except OSError as exc:
        raise SettingsError("settings.error.unreadable", path=str(path), reason=str(exc)) from exc


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _check_keys(raw: dict[str, Any], defaults: dict[str, Any], path: Path, prefix: str = "") -> None:
    for k, v in raw.items():
        name = f"{prefix}{k}"
        if k not in defaults:
            raise SettingsError("settings.error.unknown_key", path=str(path), key=name)
        if isinstance(defaults[k], dict) and k != "level_limits_workdays":
            if not isinstance(v, dict):
                raise SettingsError("settings.error.type", path=str(path), key=name, expected="table")
            _check_keys(v, defaults[k], path, f"{name}.")


def _number(value: Any, key: str, path: Path, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError("settings.error.type", path=str(path), key=key, expected="number")
    if positive and not value > 0:
        raise SettingsError("settings.error.positive", path=str(path), key=key, value=value)
    return float(value)


def _build(raw: dict[str, Any], path: Path, base_dir: Path | None) -> Settings:
    reg, lat, cal = raw["regulation"], raw["latency"], raw["calendar"]

    eff = reg["effective_date"]
    if isinstance(eff, str):
        try:
            eff = dt.date.fromisoformat(eff)
        except ValueError:
            raise SettingsError("settings.error.date", path=str(path), key="regulation.effective_date", value=eff)
    if isinstance(eff, dt.datetime):
        eff = eff.date()
    if not isinstance(eff, dt.date):
        raise SettingsError("settings.error.date", path=str(path), key="regulation.effective_date", value=eff)

    posts = reg["leadership_posts"]
    if not isinstance(posts, list) or any(p not in contract.POST.labels for p in posts):
        raise SettingsError(
            "settings.error.codes", path=str(path), key="regulation.leadership_posts", value=posts,
            allowed=", ".join(contract.POST.codes),
        )

    equal = reg["equal_rank_substitution_allowed"]
    if not isinstance(equal, bool):
        raise SettingsError(
            "settings.error.type", path=str(path), key="regulation.equal_rank_substitution_allowed", expected="true/false"
        )

    temp = _number(reg["temporary_substitution_limit_days"], "regulation.temporary_substitution_limit_days", path)

    undecided = _number(reg["undecided_escalation_days"], "regulation.undecided_escalation_days", path)
    if undecided != int(undecided):
        raise SettingsError(
            "settings.error.type", path=str(path), key="regulation.undecided_escalation_days", expected="whole number"
        )

    limits_raw = lat["level_limits_workdays"]
    if not isinstance(limits_raw, dict):
        raise SettingsError("settings.error.type", path=str(path), key="latency.level_limits_workdays", expected="table")
    unknown = set(limits_raw) - set(contract.LEVEL_CODES)
    missing = set(contract.LEVEL_CODES) - set(limits_raw)
    if unknown or missing:
        raise SettingsError(
            "settings.error.codes", path=str(path), key="latency.level_limits_workdays",
            value=sorted(unknown or missing), allowed=", ".join(contract.LEVEL_CODES),
        )
    limits = {lv: _number(limits_raw[lv], f"latency.level_limits_workdays.{lv}", path) for lv in contract.LEVEL_CODES}

    share = _number(lat["warning"]["yellow_share"], "latency.warning.yellow_share", path)
    if share > 1:
        raise SettingsError("settings.error.share", path=str(path), key="latency.warning.yellow_share", value=share)

    hf = cal["holidays_file"]
    if not isinstance(hf, str):
        raise SettingsError("settings.error.type", path=str(path), key="calendar.holidays_file", expected="text")
    holidays: Path | None = None
    if hf.strip():
        holidays = Path(hf.strip()).expanduser()
        if not holidays.is_absolute() and base_dir is not None:
            holidays = base_dir / holidays
        if not holidays.exists():
            raise SettingsError("settings.error.missing_file", path=str(path), key="calendar.holidays_file", value=str(holidays))
    elif base_dir is not None:
        holidays = next((base_dir / n for n in HOLIDAY_FILE_NAMES if (base_dir / n).exists()), None)

    return Settings(
        effective_date=eff,
        leadership_posts=tuple(posts),
        equal_rank_substitution_allowed=equal,
        temporary_substitution_limit_days=temp,
        undecided_escalation_days=int(undecided),
        level_limits_workdays=limits,
        yellow_share=share,
        holidays_file=holidays,
    )


def load_settings(path: str | Path | None = None, store_dir: str | Path | None = None) -> Settings:
    """Defaults, overridden by `path` if given, else by `settings.toml` in `store_dir` if present.

    A relative holidays file is read from the folder of the store (or of the settings file).
    """
    defaults = _read_toml(DEFAULT_FILE)
    user_path: Path | None = None
    if path is not None:
        user_path = Path(path)
        if not user_path.exists():
            raise SettingsError("settings.error.missing_file", path=str(user_path), key="-", value=str(user_path))
    elif store_dir is not None and (Path(store_dir) / USER_FILE_NAME).exists():
        user_path = Path(store_dir) / USER_FILE_NAME
    raw = defaults
    if user_path is not None:
        user = _read_toml(user_path)
        _check_keys(user, defaults, user_path)
        raw = _merge(defaults, user)
    base_dir = Path(store_dir) if store_dir is not None else (user_path.parent if user_path else None)
    s = _build(raw, user_path or DEFAULT_FILE, base_dir)
    return replace(s, source=user_path)


def settings_for_store(db_path: str | Path | None) -> Settings:
    """The settings that apply to the store at `db_path` (None: in-memory store -> defaults)."""
    if not db_path:
        return load_settings()
    return load_settings(store_dir=Path(db_path).resolve().parent)
