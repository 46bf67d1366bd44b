"""Settings: declared once (pipelines.domain.settings.SETTINGS), documented, and checked before anything runs.

A bad settings or holidays file is refused with its file and the key or line at fault, in Chinese and
English; the command line exits 1 (never 2, never a traceback) and the store is untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.core.i18n import CATALOGUE
from pipelines.domain import settings as S
from pipelines.domain.settings import SETTINGS, SettingsError, load_settings
from pipelines.ingest.loader import load_paths

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_setting_is_documented_in_both_languages_and_in_the_defaults_file():
    text = S.DEFAULT_FILE.read_text(encoding="utf-8")
    for s in SETTINGS:
        zh, en = CATALOGUE[f"settings.help.{s.key}"]
        assert zh.strip() and en.strip() and zh != en, s.key
        assert f"\n{s.name} = {S.toml_value(s.default)}\n" in text, s.key
        assert zh.splitlines()[0] in text, s.key
    for section in S.SECTIONS:
        assert f"[{section}]" in text and f"settings.section.{section}" in CATALOGUE


def test_the_defaults_file_is_rendered_from_the_declaration():
    """After changing SETTINGS: python -m pipelines.domain.settings > pipelines/settings.default.toml"""
    assert S.DEFAULT_FILE.read_text(encoding="utf-8") == S.render_default_toml()


def test_the_defaults_file_read_as_a_user_file_gives_the_defaults(tmp_path):
    assert load_settings(S.DEFAULT_FILE).as_dict() | {"source": None} == S.Settings().as_dict()


def test_every_setting_sets_an_attribute_and_describe_lists_them_all():
    defaults = S.Settings()
    for s in SETTINGS:
        assert S.toml_value(defaults.value(s)) == S.toml_value(s.default) or s.check == S.PATH
    rows = S.describe(defaults, "en")
    assert [r["key"] for r in rows] == [s.key for s in SETTINGS]
    assert all(r["help"] for r in rows)
    # posts as the file takes them (codes) and in the reader's words
    [posts] = [r for r in S.describe(defaults, "zh") if r["key"] == "regulation.leadership_posts"]
    assert posts["value"].startswith("副局长、局长") and '["DEPUTY", "CHIEF"' in posts["value"]
    assert posts["default"] == posts["value"]


def test_a_partial_user_file_overrides_only_its_keys(tmp_path):
    f = tmp_path / "settings.toml"
    f.write_text("[latency.level_limits_workdays]\nCHIEF = 4.5\n\n[load]\nxlsx_max_ratio = 50\n", encoding="utf-8")
    s = load_settings(f)
    assert s.level_limits_workdays["CHIEF"] == 4.5 and s.level_limits_workdays["TEAM_LEAD"] == 1
    assert s.xlsx_max_ratio == 50 and s.source == f


# (settings.toml text, key in the message, line, English fragment)
BAD_SETTINGS = {
    "negative limit": ("[regulation]\ntemporary_substitution_limit_days = -1\n", "regulation.temporary_substitution_limit_days", 2, "positive"),
    "zero level limit": ("[latency.level_limits_workdays]\nCHIEF = 0\n", "latency.level_limits_workdays.CHIEF", 2, "positive"),
    "NaN": ("[latency.warning]\nyellow_share = nan\n", "latency.warning.yellow_share", 2, "finite"),
    "infinity": ("[load]\nxlsx_max_uncompressed_mb = inf\n", "load.xlsx_max_uncompressed_mb", 2, "finite"),
    "fraction of a day": ("[regulation]\nundecided_escalation_days = 2.5\n", "regulation.undecided_escalation_days", 2, "whole number"),
    "share above 1": ("[latency.warning]\nyellow_share = 1.5\n", "latency.warning.yellow_share", 2, "between 0 and 1"),
    "text for a number": ("[regulation]\ntemporary_substitution_limit_days = '30'\n", "regulation.temporary_substitution_limit_days", 2, "a number"),
    "unknown post": ("[regulation]\nleadership_posts = ['BOSS']\n", "regulation.leadership_posts", 2, "invalid codes"),
    "misspelt key": ("[regulation]\neffective_dat = 2023-01-01\n", "regulation.effective_dat", 2, "unknown setting"),
    "misspelt section": ("\n[latncy.warning]\nyellow_share = 0.5\n", "latncy", None, "unknown setting"),
    "unknown level": ("[latency.level_limits_workdays]\nCLERK = 1\n", "latency.level_limits_workdays.CLERK", 2, "unknown setting"),
    "not a date": ("[regulation]\neffective_date = 'soon'\n", "regulation.effective_date", 2, "must be a date"),
    "not a bool": ("[regulation]\nequal_rank_substitution_allowed = 'yes'\n", "regulation.equal_rank_substitution_allowed", 2, "true or false"),
    "value for a section": ("regulation = 5\n", "regulation", 1, "table of settings"),
    "missing holidays file": ("[calendar]\nholidays_file = 'nowhere.csv'\n", "calendar.holidays_file", 2, "not found"),
    "malformed TOML": ("[regulation]\neffective_date = 2023-01-01\n[regulation\n", None, 3, "not valid TOML"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_a_bad_settings_file_is_located_in_both_languages(tmp_path, case):
    text, key, line, fragment = BAD_SETTINGS[case]
    f = tmp_path / "settings.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load_settings(store_dir=tmp_path)
    en, zh = exc.value.format("en"), exc.value.format("zh")
    assert fragment in en and str(f) in en and str(f) in zh and zh != en
    if key:
        assert key in en and key in zh
    if line:
        assert f"line {line}" in en and f"第 {line} 行" in zh


@pytest.mark.parametrize("case", ["negative limit", "NaN", "misspelt key", "malformed TOML"])
def test_bad_settings_refuse_a_load_before_anything_runs_exit_1(tmp_path, capsys, case):
    db = tmp_path / "store" / "warehouse.duckdb"
    db.parent.mkdir()
    assert main(["load", str(VALID), "--db", str(db)]) == 0
    before = sha(db)
    (db.parent / "settings.toml").write_text(BAD_SETTINGS[case][0], encoding="utf-8")
    capsys.readouterr()
    for command in (["load", str(VALID)], ["rebuild"], ["report", "--json"]):
        assert main([*command, "--db", str(db), "--lang", "en"]) == 1, command
        err = capsys.readouterr().err
        assert "settings.toml" in err and BAD_SETTINGS[case][3] in err and "Traceback" not in err
    assert sha(db) == before
    report = load_paths([VALID], db, lang="zh")
    assert not report.ok and report.settings_error is not None and "设置有误" in report.format("zh")
    assert sha(db) == before


BAD_HOLIDAYS = {
    "bad date": ("holidays.csv", "date,kind\n2031-10-01,holiday\n2031-13-01,holiday\n", 3, "2031-13-01"),
    "bad kind": ("holidays.csv", "date,kind\n2031-10-01,vacation\n", 2, "vacation"),
    "no kind column": ("holidays.csv", "date,type\n2031-10-01,holiday\n", 1, "date and kind"),
    "two kinds for a day": ("holidays.csv", "date,kind\n2031-10-01,holiday\n\n2031-10-01,workday\n", 4, "line 2"),
    "TOML syntax": ("holidays.toml", "[[day]]\ndate = 2031-10-01\nkind = holiday\n", 3, "not valid TOML"),
    "TOML entry key": ("holidays.toml", "[[day]]\ndate = 2031-10-01\nkind = 'holiday'\n\n[[day]]\ndat = 2031-10-02\n", 5, "dat"),
}


@pytest.mark.parametrize("case", BAD_HOLIDAYS, ids=list(BAD_HOLIDAYS))
def test_a_malformed_holidays_file_is_located_and_refuses_a_load(tmp_path, capsys, case):
    name, text, line, fragment = BAD_HOLIDAYS[case]
    store = tmp_path / "store"
    store.mkdir()
    (store / name).write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load_settings(store_dir=store)
    en, zh = exc.value.format("en"), exc.value.format("zh")
    assert name in en and f"line {line}" in en and f"第 {line} 行" in zh and fragment in en
    db = store / "warehouse.duckdb"
    assert main(["load", str(VALID), "--db", str(db), "--lang", "en"]) == 1
    assert name in capsys.readouterr().err
    assert not db.exists()


def test_a_gbk_holidays_file_is_read(tmp_path):
    (tmp_path / "holidays.csv").write_bytes("date,kind\n2031-10-01,节假日\n".encode("gb18030"))
    s = load_settings(store_dir=tmp_path)
    assert s.holidays_file == tmp_path / "holidays.csv"


def test_checking_a_settings_file_never_rewrites_it(tmp_path):
    """A settings file is only read: checking it never rewrites it."""
    f = tmp_path / "settings.toml"
    shutil.copy(S.DEFAULT_FILE, f)
    before = sha(f)
    load_settings(store_dir=tmp_path)
    assert sha(f) == before
