"""The regulation's *(reading)* choices and the loader's limits, declared once in `SETTINGS`.

Each setting is one row: its dotted TOML key, its default, the check its value must pass, and the
`Settings` attribute it sets; its help text is `settings.help.<key>` in the message catalogue (zh, en).
From that one table come the defaults, `pipelines/domain/settings.default.toml` (`render_default_toml()`; a test
keeps the committed file equal to it), the Data page's settings section (`describe()`) and the checks of
a user's `settings.toml` (beside the store, or an explicit path), which may override any subset.

A user's file is checked before anything runs: unknown keys, types, limits > 0 and finite, codes, dates,
the holidays file it names (parsed, every row). `SettingsError` says where (file, key, line) and what is
wrong in Chinese and English.

    python -m pipelines.domain.settings > pipelines/domain/settings.default.toml   # after changing SETTINGS
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipelines.core import contract
from pipelines.core.i18n import label, t
from pipelines.domain.errors import SettingsError
from pipelines.domain.workdays import read_holidays_file

DEFAULT_FILE = Path(__file__).with_name("settings.default.toml")
USER_FILE_NAME = "settings.toml"
HOLIDAY_FILE_NAMES = ("holidays.csv", "holidays.toml")

# Checks a value must pass.
DATE, POSTS, BOOL, POSITIVE, WHOLE, SHARE, PATH, TEXTS, TEXT = (
    "date", "posts", "bool", "positive", "whole", "share", "path", "texts", "text"
)
# Checks of the notification settings (issue 26): a text that may be empty (TEXT may not), an http(s) URL or nothing, a TCP
# port, an hour of the day (0-23), how the SMTP connection is secured.
OPTIONAL_TEXT, URL, PORT, HOUR, SECURITY = "optional_text", "url", "port", "hour", "security"
SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Setting:
    key: str  # dotted TOML key: section(s) + name
    default: Any
    check: str
    attr: str  # the Settings attribute; a level limit sets one entry of `level_limits_workdays`

    @property
    def section(self) -> str:
        return self.key.rsplit(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.rsplit(".", 1)[1]

    def help(self, lang: str = "zh") -> str:
        return t(f"settings.help.{self.key}", lang)


# Settings that are one entry of a dict attribute (the key's last part is the dict's key).
DICT_ATTRS = ("level_limits_workdays", "meeting_interval_months")

LEVEL_LIMITS_DEFAULT = {"TEAM_LEAD": 1, "DEPUTY": 2, "CHIEF": 3, "VP": 5, "PRESIDENT": 5, "COMMITTEE": 20}

SETTINGS: tuple[Setting, ...] = (
    Setting("regulation.effective_date", dt.date(2023, 1, 1), DATE, "effective_date"),
    Setting("regulation.leadership_posts", ("DEPUTY", "CHIEF", "VP", "PRESIDENT", "COMMITTEE"), POSTS, "leadership_posts"),
    Setting("regulation.equal_rank_substitution_allowed", True, BOOL, "equal_rank_substitution_allowed"),
    Setting("regulation.temporary_substitution_limit_days", 30, POSITIVE, "temporary_substitution_limit_days"),
    Setting("regulation.undecided_escalation_days", 30, WHOLE, "undecided_escalation_days"),
    # Art. 4 定期召开: a meeting of each type at least once in this many calendar months (M4-REGULAR).
    *(
        Setting(f"regulation.meeting_interval_months.{mtype}", 1, WHOLE, "meeting_interval_months")
        for mtype in contract.MEETING_TYPE.codes
    ),
    Setting("regulation.deputies_attend_team_leads", True, BOOL, "deputies_attend_team_leads"),
    Setting("regulation.major_case_plan_days", 30, WHOLE, "major_case_plan_days"),
    *(
        Setting(f"latency.level_limits_workdays.{level}", LEVEL_LIMITS_DEFAULT[level], POSITIVE, "level_limits_workdays")
        for level in contract.LEVEL_CODES
    ),
    Setting("latency.warning.yellow_share", 2 / 3, SHARE, "yellow_share"),
    Setting("clock.non_litigation_kinds", ("非诉执行",), TEXTS, "non_litigation_kinds"),
    Setting("clock.yellow_days", 30, WHOLE, "clock_yellow_days"),
    Setting("calendar.holidays_file", "", PATH, "holidays_file"),
    Setting("load.xlsx_max_uncompressed_mb", 1024, POSITIVE, "xlsx_max_uncompressed_mb"),
    Setting("load.xlsx_max_ratio", 200, POSITIVE, "xlsx_max_ratio"),
    # Targets the dashboard shows each headline figure against (at most this much): the bureau's own goals,
    # not the regulation's. Read when a page is drawn, so a change needs no rebuild.
    *(Setting(f"targets.{name}", default, check, f"target_{name}") for name, default, check in (
        ("median_step_hours", 24, POSITIVE),
        ("findings_per_100", 2, POSITIVE),
        ("escalation_rate", 0.1, SHARE),
    )),
    # Who must act (the 待办与预警 page and the digests): read when a page is drawn or a digest is made.
    Setting("attention.extension_lead_days", 5, WHOLE, "extension_lead_days"),
    # Alert rules: each on (a number) or off (false for the switches); state OK/triggered, fired once per change.
    Setting("alerts.targets", True, BOOL, "alert_targets"),
    Setting("alerts.pending_red", True, BOOL, "alert_pending_red"),
    Setting("alerts.case_last_days", 10, WHOLE, "alert_case_last_days"),
    Setting("alerts.item_undecided_days", 30, WHOLE, "alert_item_undecided_days"),
    Setting("alerts.rearm_days", 7, WHOLE, "alert_rearm_days"),
    # Digests by mail: where the dashboard is, when a digest is due, the SMTP server (its password comes from
    # the environment or .streamlit/secrets.toml, never from here), the optional intranet webhook.
    Setting("digest.base_url", "http://localhost:8501", URL, "digest_base_url"),
    Setting("digest.send_hour", 8, HOUR, "digest_send_hour"),
    Setting("digest.max_rows", 20, WHOLE, "digest_max_rows"),
    Setting("digest.from_address", "tierwatch@localhost", TEXT, "digest_from_address"),
    Setting("digest.smtp_host", "localhost", TEXT, "smtp_host"),
    Setting("digest.smtp_port", 25, PORT, "smtp_port"),
    Setting("digest.smtp_security", "none", SECURITY, "smtp_security"),
    Setting("digest.smtp_user", "", OPTIONAL_TEXT, "smtp_user"),
    Setting("digest.smtp_timeout_seconds", 30, POSITIVE, "smtp_timeout_seconds"),
    Setting("digest.webhook_url", "", URL, "webhook_url"),
    Setting("digest.webhook_max_bytes", 65536, WHOLE, "webhook_max_bytes"),
    # Sign-in and what people see (issue 25). Read at every sign-in and page run: no rebuild needed.
    Setting("access.lockout_attempts", 5, WHOLE, "lockout_attempts"),
    Setting("access.lockout_minutes", 15, POSITIVE, "lockout_minutes"),
    Setting("access.idle_hours", 8, POSITIVE, "idle_hours"),
    Setting("access.analyst_pseudonyms", True, BOOL, "analyst_pseudonyms"),
    Setting("access.identity_claim", "email", TEXT, "identity_claim"),
)
TARGETS = tuple(s.name for s in SETTINGS if s.section == "targets")
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in SETTINGS))


DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    effective_date: dt.date = DEFAULTS["regulation.effective_date"]
    leadership_posts: tuple[str, ...] = DEFAULTS["regulation.leadership_posts"]
    equal_rank_substitution_allowed: bool = DEFAULTS["regulation.equal_rank_substitution_allowed"]
    temporary_substitution_limit_days: float = float(DEFAULTS["regulation.temporary_substitution_limit_days"])
    undecided_escalation_days: int = DEFAULTS["regulation.undecided_escalation_days"]
    level_limits_workdays: dict[str, float] = field(
        default_factory=lambda: {lv: float(n) for lv, n in LEVEL_LIMITS_DEFAULT.items()}
    )
    yellow_share: float = DEFAULTS["latency.warning.yellow_share"]
    meeting_interval_months: dict[str, int] = field(
        default_factory=lambda: {k.rsplit(".", 1)[1]: v for k, v in DEFAULTS.items()
                                 if k.startswith("regulation.meeting_interval_months.")}
    )
    deputies_attend_team_leads: bool = DEFAULTS["regulation.deputies_attend_team_leads"]
    major_case_plan_days: int = DEFAULTS["regulation.major_case_plan_days"]
    non_litigation_kinds: tuple[str, ...] = DEFAULTS["clock.non_litigation_kinds"]
    clock_yellow_days: int = DEFAULTS["clock.yellow_days"]
    xlsx_max_uncompressed_mb: float = float(DEFAULTS["load.xlsx_max_uncompressed_mb"])
    xlsx_max_ratio: float = float(DEFAULTS["load.xlsx_max_ratio"])
    target_median_step_hours: float = float(DEFAULTS["targets.median_step_hours"])
    target_findings_per_100: float = float(DEFAULTS["targets.findings_per_100"])
    target_escalation_rate: float = float(DEFAULTS["targets.escalation_rate"])
    extension_lead_days: int = DEFAULTS["attention.extension_lead_days"]
    alert_targets: bool = DEFAULTS["alerts.targets"]
    alert_pending_red: bool = DEFAULTS["alerts.pending_red"]
    alert_case_last_days: int = DEFAULTS["alerts.case_last_days"]
    alert_item_undecided_days: int = DEFAULTS["alerts.item_undecided_days"]
    alert_rearm_days: int = DEFAULTS["alerts.rearm_days"]
    digest_base_url: str = DEFAULTS["digest.base_url"]
    digest_send_hour: int = DEFAULTS["digest.send_hour"]
    digest_max_rows: int = DEFAULTS["digest.max_rows"]
    digest_from_address: str = DEFAULTS["digest.from_address"]
    smtp_host: str = DEFAULTS["digest.smtp_host"]
    smtp_port: int = DEFAULTS["digest.smtp_port"]
    smtp_security: str = DEFAULTS["digest.smtp_security"]
    smtp_user: str = DEFAULTS["digest.smtp_user"]
    smtp_timeout_seconds: float = float(DEFAULTS["digest.smtp_timeout_seconds"])
    webhook_url: str = DEFAULTS["digest.webhook_url"]
    webhook_max_bytes: int = DEFAULTS["digest.webhook_max_bytes"]
    lockout_attempts: int = DEFAULTS["access.lockout_attempts"]
    lockout_minutes: float = float(DEFAULTS["access.lockout_minutes"])
    idle_hours: float = float(DEFAULTS["access.idle_hours"])
    analyst_pseudonyms: bool = DEFAULTS["access.analyst_pseudonyms"]
    identity_claim: str = DEFAULTS["access.identity_claim"]
    holidays_file: Path | None = None  # resolved; None = no user holidays file
    source: Path | None = None  # the user's settings file applied, if any

    def limit(self, level: str) -> float:
        return self.level_limits_workdays[level]

    def targets(self) -> dict[str, float]:
        """{"median_step_hours": 24.0, ...}: the most each headline figure should be."""
        return {name: getattr(self, f"target_{name}") for name in TARGETS}

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests and scripts)."""
        return replace(self, **changes)

    def value(self, setting: Setting) -> Any:
        """The value of one declared setting (a holidays file as the path it resolved to, or "")."""
        if setting.attr in DICT_ATTRS:
            return getattr(self, setting.attr)[setting.name]
        v = getattr(self, setting.attr)
        if setting.check == PATH:
            return str(v) if v else ""
        return v

    def as_dict(self) -> dict[str, Any]:
        return {
            "effective_date": self.effective_date.isoformat(),
            "leadership_posts": list(self.leadership_posts),
            "equal_rank_substitution_allowed": self.equal_rank_substitution_allowed,
            "temporary_substitution_limit_days": self.temporary_substitution_limit_days,
            "undecided_escalation_days": self.undecided_escalation_days,
            "meeting_interval_months": dict(self.meeting_interval_months),
            "deputies_attend_team_leads": self.deputies_attend_team_leads,
            "major_case_plan_days": self.major_case_plan_days,
            "level_limits_workdays": dict(self.level_limits_workdays),
            "yellow_share": self.yellow_share,
            "non_litigation_kinds": list(self.non_litigation_kinds),
            "clock_yellow_days": self.clock_yellow_days,
            "xlsx_max_uncompressed_mb": self.xlsx_max_uncompressed_mb,
            "xlsx_max_ratio": self.xlsx_max_ratio,
            "targets": self.targets(),
            "holidays_file": str(self.holidays_file) if self.holidays_file else None,
            "source": str(self.source) if self.source else None,
        }


# --------------------------------------------------------------------------------------------------
# Rendering: the defaults file and the Data page's table
# --------------------------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """A value as TOML writes it (dates bare, strings quoted, lists in brackets)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _comment(key: str) -> list[str]:
    """A message as TOML comment lines: Chinese as written, then English wrapped at 104 columns."""
    out = [f"# {line}" for line in t(key, "zh").splitlines()]
    for paragraph in t(key, "en").splitlines():
        out += [f"# {line}" for line in textwrap.wrap(paragraph, 104, break_on_hyphens=False)]
    return out


def render_default_toml() -> str:
    """`settings.default.toml`: every setting with its default and its help in Chinese and English."""
    out = _comment("settings.file.header")
    for section in SECTIONS:
        out += ["", f"[{section}]"] + _comment(f"settings.section.{section}")
        for s in SETTINGS:
            if s.section == section:
                out += [""] + _comment(f"settings.help.{s.key}") + [f"{s.name} = {toml_value(s.default)}"]
    return "\n".join(out) + "\n"


def _in_words(value: Any, check: str, lang: str) -> str:
    """A value as the settings file holds it; posts in words first, then the codes the file takes (the Data
    page's narrow column showed only '["DEPUTY", "' of the codes alone)."""
    text = toml_value(value)
    if check == POSTS:
        words = ("、" if lang == "zh" else ", ").join(label("post", code, lang) for code in value)
        text = f"{words}（{text}）" if lang == "zh" else f"{words} ({text})"
    return text


def describe(settings: Settings, lang: str = "zh") -> list[dict[str, str]]:
    """One row per setting for the Data page: key, value in effect, default, help."""
    return [
        {
            "key": s.key,
            "value": _in_words(settings.value(s), s.check, lang),
            "default": _in_words(s.default, s.check, lang),
            "help": s.help(lang),
        }
        for s in SETTINGS
    ]


# --------------------------------------------------------------------------------------------------
# Reading and checking a user's file
# --------------------------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_TABLE_LINE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def _dotted(text: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in text.split("."))


def line_of(text: str, key: str) -> int | None:
    """The line (1-based) where a dotted key is set or its table opens, if it can be found."""
    table = ""
    for n, line in enumerate(text.splitlines(), start=1):
        if m := _TABLE_LINE.match(line):
            table = _dotted(m.group(1))
            if table == key:
                return n
            continue
        if m := _KEY_LINE.match(line):
            name = _dotted(m.group(1))
            if (f"{table}.{name}" if table else name) == key:
                return n
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{…}"
    try:
        return toml_value(value)
    except (TypeError, ValueError):
        return str(value)


def _read_user_file(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError("settings.error.unreadable", path=path, reason=exc.strerror or str(exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError("settings.error.encoding", path=path, line=line) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        if line:
            raise SettingsError("settings.error.syntax_at", path=path, line=line, column=column, reason=reason) from None
        raise SettingsError("settings.error.syntax", path=path, reason=reason) from None


def _flatten(raw: dict[str, Any], path: Path, text: str, prefix: str = "") -> dict[str, Any]:
    """{dotted key: value} of a user's file; every key must be a declared setting or one of its sections."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        key = f"{prefix}{k}"
        is_section = any(s.key.startswith(key + ".") for s in SETTINGS)
        if key in BY_KEY:
            if isinstance(v, dict):
                raise SettingsError("settings.error.not_table", path=path, key=key, line=line_of(text, key))
            out[key] = v
        elif is_section:
            if not isinstance(v, dict):
                raise SettingsError("settings.error.table", path=path, key=key, line=line_of(text, key))
            out.update(_flatten(v, path, text, f"{key}."))
        else:
            known = sorted({s.key[len(prefix):].split(".")[0] for s in SETTINGS if s.key.startswith(prefix)})
            raise SettingsError("settings.error.unknown_key", path=path, key=key, line=line_of(text, key),
                                known=", ".join(known))
    return out


def _check(s: Setting, value: Any, path: Path, line: int | None) -> Any:
    def fail(message: str, **params: object) -> SettingsError:
        return SettingsError(message, path=path, key=s.key, line=line, value=_shown(value), **params)

    if s.check == DATE:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise fail("settings.error.date") from None
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise fail("settings.error.date")
        return value
    if s.check == POSTS:
        if not isinstance(value, list | tuple) or any(not isinstance(p, str) or p not in contract.POST.labels for p in value):
            raise fail("settings.error.codes", allowed=", ".join(contract.POST.codes))
        return tuple(value)
    if s.check == BOOL:
        if not isinstance(value, bool):
            raise fail("settings.error.bool")
        return value
    if s.check in (POSITIVE, WHOLE, SHARE):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail("settings.error.number")
        if not math.isfinite(value):
            raise fail("settings.error.finite")
        if not value > 0:
            raise fail("settings.error.positive")
        if s.check == SHARE and value > 1:
            raise fail("settings.error.share")
        if s.check == WHOLE:
            if value != int(value):
                raise fail("settings.error.whole")
            return int(value)
        return float(value)
    if s.check == PATH:
        if not isinstance(value, str):
            raise fail("settings.error.text")
        return value.strip()
    if s.check == TEXT:
        if not isinstance(value, str) or not value.strip():
            raise fail("settings.error.text")
        return value.strip()
    if s.check in (OPTIONAL_TEXT, URL):
        if not isinstance(value, str):
            raise fail("settings.error.text")
        value = value.strip()
        if s.check == URL and value and not re.match(r"^https?://[^\s/]+", value):
            raise fail("settings.error.url")
        return value.rstrip("/") if s.check == URL else value
    if s.check in (PORT, HOUR):
        low, high = (1, 65535) if s.check == PORT else (0, 23)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail("settings.error.range", low=low, high=high)
        return value
    if s.check == SECURITY:
        if value not in SMTP_SECURITY:
            raise fail("settings.error.choice", allowed=", ".join(SMTP_SECURITY))
        return value
    if s.check == TEXTS:
        if not isinstance(value, list | tuple) or any(not isinstance(v, str) or not v.strip() for v in value):
            raise fail("settings.error.texts")
        return tuple(v.strip() for v in value)
    raise AssertionError(s.check)


def _holidays(value: str, base_dir: Path | None, path: Path, line: int | None) -> Path | None:
    """The holidays file a setting names (resolved, parsed to check every row), or the one beside the store."""

    holidays: Path | None = None
    if value:
        holidays = Path(value).expanduser()
        if not holidays.is_absolute() and base_dir is not None:
            holidays = base_dir / holidays
        if not holidays.is_file():
            raise SettingsError("settings.error.missing_file", path=path, key="calendar.holidays_file", line=line,
                                value=str(holidays))
    elif base_dir is not None:
        holidays = next((base_dir / n for n in HOLIDAY_FILE_NAMES if (base_dir / n).is_file()), None)
    if holidays is not None:
        read_holidays_file(holidays)
    return holidays


def load_settings(path: str | Path | None = None, store_dir: str | Path | None = None) -> Settings:
    """Defaults, overridden by `path` if given, else by `settings.toml` in `store_dir` if present.

    A relative holidays file is read from the folder of the store (or of the settings file). Raises
    `SettingsError` on anything wrong in the settings or the holidays file.
    """
    user_path: Path | None = None
    if path is not None:
        user_path = Path(path)
        if not user_path.is_file():
            raise SettingsError("settings.error.no_file", path=user_path)
    elif store_dir is not None and (Path(store_dir) / USER_FILE_NAME).is_file():
        user_path = Path(store_dir) / USER_FILE_NAME
    given: dict[str, Any] = {}
    text = ""
    if user_path is not None:
        raw, text = _read_user_file(user_path)
        given = _flatten(raw, user_path, text)
    where = user_path or DEFAULT_FILE
    values = {
        s.key: _check(s, given.get(s.key, s.default), where, line_of(text, s.key) if s.key in given else None)
        for s in SETTINGS
    }
    base_dir = Path(store_dir) if store_dir is not None else (user_path.parent if user_path else None)
    holidays_key = "calendar.holidays_file"
    holidays = _holidays(values[holidays_key], base_dir, where, line_of(text, holidays_key) if holidays_key in given else None)
    attrs: dict[str, Any] = {name: {} for name in DICT_ATTRS}
    for s in SETTINGS:
        if s.attr in DICT_ATTRS:
            attrs[s.attr][s.name] = values[s.key]
        elif s.check != PATH:
            attrs[s.attr] = values[s.key]
    return Settings(**attrs, holidays_file=holidays, source=user_path)


def settings_for_store(db_path: str | Path | None) -> Settings:
    """The settings that apply to the store at `db_path` (None: in-memory store -> defaults)."""
    if not db_path:
        return load_settings()
    return load_settings(store_dir=Path(db_path).resolve().parent)


if __name__ == "__main__":
    sys.stdout.write(render_default_toml())
