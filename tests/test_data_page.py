"""The Data page's upload flow in Streamlit's AppTest (which drives st.file_uploader since 1.4x):
several export files at once -> validation report -> Load -> success, with the rows in a real store;
an invalid file -> the report names file, row and column in Chinese, and the store file is unchanged.
The same flow in a real browser is in tests/test_browser.py."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
VALID = ROOT / "tests" / "fixtures" / "loader" / "valid"
STEPS_FILE = "审批记录_2024-06.csv"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def valid_files() -> list[tuple[str, bytes, str]]:
    return [(p.name, p.read_bytes(), "text/csv") for p in sorted(VALID.iterdir())]


def broken_steps_file() -> tuple[str, bytes]:
    """The valid approval-step export with one arrival time that is not a time (data row 2, column 到达时间)."""
    lines = (VALID / STEPS_FILE).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("到达时间")
    cells = lines[2].split(",")
    cells[col] = "下周一"
    lines[2] = ",".join(cells)
    return STEPS_FILE, ("\n".join(lines) + "\n").encode("utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.sql("select table_name from information_schema.tables where table_schema='main'").fetchall()]
        return {n: con.sql(f'select count(*) from "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()


def data_page(db: Path, monkeypatch, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("TIERWATCH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/data.py").run()
    return at


def problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def load_button(at: AppTest):
    return at.button(key="load_btn")


def test_upload_validate_and_load_several_files_into_an_empty_store(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    at = data_page(db, monkeypatch)
    assert not problems(at), problems(at)
    at.file_uploader(key="uploads").set_value(valid_files()).run()
    assert not problems(at), problems(at)
    assert [s.value for s in at.success] == ["校验通过，可以导入。"], [e.value for e in at.error]
    assert not load_button(at).disabled
    assert not db.exists(), "validation alone must not write the store"

    load_button(at).click().run()
    assert not problems(at), problems(at)
    assert any(s.value.startswith("导入完成") for s in at.success), [s.value for s in at.success]
    rows = table_rows(db)
    expected_steps = len((VALID / STEPS_FILE).read_text(encoding="utf-8").strip().splitlines()) - 1
    assert rows.get("approvals") == expected_steps, rows
    assert rows.get("staff", 0) > 0 and rows.get("meetings", 0) == 1, rows
    # the page now shows the loaded store (load history), not the empty-store guide
    assert not at.info or str(db) not in at.info[0].value
    assert at.dataframe, "no load history / table counts after the load"
    # the loaded files are not offered again: a fresh, empty uploader and no Load button
    assert [u.value for u in at.file_uploader] in ([None], [[]]), [u.value for u in at.file_uploader]
    assert not [b for b in at.button if b.key == "load_btn"]


def test_the_page_loads_what_it_validated_and_keeps_nothing_of_an_upload(tmp_path, monkeypatch):
    """The files are read once, to validate (issue 24): Load loads the rows validation staged. What an upload
    keeps meanwhile (its saved files, the staged rows beside the store) goes when other files replace it,
    when the uploader is cleared, and after the load."""
    from pipelines.access import serving
    from pipelines.ingest import readers

    reads = []
    real = readers.open_paths
    monkeypatch.setattr(readers, "open_paths", lambda paths, *a, **kw: reads.append(paths) or real(paths, *a, **kw))
    db = tmp_path / "warehouse.duckdb"
    uploads = serving.upload_root(db)

    def kept() -> tuple[list[str], list[str]]:
        staged = sorted(p.name for p in tmp_path.iterdir() if ".staging" in p.name)
        return staged, sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []

    at = data_page(db, monkeypatch)
    at.file_uploader(key="uploads").set_value(valid_files()[:2]).run()
    first = kept()
    assert len(first[0]) == 1 and len(first[1]) == 1 and len(reads) == 1, (first, reads)
    at.file_uploader(key="uploads").set_value(valid_files()).run()  # other files: validated anew
    second = kept()
    assert len(reads) == 2 and len(second[0]) == 1 and len(second[1]) == 1
    assert not set(first[0]) & set(second[0]) and not set(first[1]) & set(second[1])
    at.file_uploader(key="uploads").set_value([]).run()  # cleared
    assert kept() == ([], [])

    at.file_uploader(key="uploads").set_value(valid_files()).run()
    assert [s.value for s in at.success] == ["校验通过，可以导入。"] and len(reads) == 3
    load_button(at).click().run()
    assert not problems(at), problems(at)
    assert any(s.value.startswith("导入完成") for s in at.success), [s.value for s in at.success]
    assert len(reads) == 3, "the load read the uploaded files again"
    assert table_rows(db).get("approvals") == 5
    assert kept() == ([], [])


def test_an_invalid_file_is_reported_in_chinese_and_leaves_the_store_unchanged(tmp_path, monkeypatch, demo_db):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    before = sha256(db)
    at = data_page(db, monkeypatch)
    name, content = broken_steps_file()
    files = [(n, (content if n == name else c), m) for n, c, m in valid_files()]
    at.file_uploader(key="uploads").set_value(files).run()
    assert not problems(at), problems(at)
    assert [e.value for e in at.error] == ["校验发现 1 个问题，请修正后重新上传。"]
    report = "\n".join(t.value for t in at.text)
    assert f"文件 {STEPS_FILE}" in report, report
    assert "第 3 行，列「到达时间」，值“下周一”" in report, report
    assert load_button(at).disabled
    assert sha256(db) == before


def test_files_that_name_no_table_are_named_not_counted_as_zero_problems(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    at = data_page(db, monkeypatch)
    at.file_uploader(key="uploads").set_value([("导出数据.csv", (VALID / "cases.csv").read_bytes(), "text/csv")]).run()
    assert not problems(at), problems(at)
    assert [e.value for e in at.error] == [
        "未能识别任何数据表：文件名须恰好含有一个表名（见下方报告中的表名），请改名后重新上传。"]
    report = "\n".join(t.value for t in at.text)
    assert "导出数据.csv：名称中没有任何表名" in report and "替补记录 (substitutions)" in report, report
    assert load_button(at).disabled


def test_a_load_that_finds_another_running_says_it_waits_then_loads(tmp_path, monkeypatch):
    """Another load holds the store (its lock, taken here as the loader takes it): the page's load says at
    once that it waits, for which command since when (the page's message, caught as it is made), then
    loads when the other lets go, and says it had waited."""
    import os
    import threading

    from pipelines.ingest import loader
    from pipelines.store import db as store

    db = tmp_path / "warehouse.duckdb"
    at = data_page(db, monkeypatch)
    at.file_uploader(key="uploads").set_value(valid_files()).run()
    told, asked = [], threading.Event()
    message = loader.busy_message

    def seen(holder, lang="zh", **kw):
        text = message(holder, lang, **kw)
        told.append(text)
        asked.set()
        return text

    monkeypatch.setattr(loader, "busy_message", seen)
    with store.locked(db, "rebuild"):
        clicking = threading.Thread(target=lambda: load_button(at).click().run())
        clicking.start()
        assert asked.wait(timeout=120), "the page's load did not say that it waits"
        assert clicking.is_alive()  # it waits: the store is held
    clicking.join(timeout=180)
    assert not problems(at), problems(at)
    assert told[0].startswith(f"另一项操作正在写入数据库（重建汇总表，进程 {os.getpid()}，自 ")
    assert any(s.value.startswith("导入完成") for s in at.success), [s.value for s in at.success]
    assert [i.value for i in at.info if i.value.startswith("本次导入等待了另一项操作（重建汇总表")], \
        [i.value for i in at.info]
    assert table_rows(db).get("approvals", 0) > 0


def _store_with_a_warning(tmp_path: Path) -> Path:
    """A store loaded from the fixture exports in which one step was decided before it was received."""
    from pipelines.ingest.loader import load_paths

    folder = tmp_path / "exports"
    shutil.copytree(VALID, folder)
    path = folder / STEPS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "2024-06-03 09:00,2024-06-03 15:30", "2024-06-03 09:00,2024-06-02 15:30", 1), encoding="utf-8")
    db = tmp_path / "store" / "warehouse.duckdb"
    db.parent.mkdir()
    assert load_paths([folder], db).warning_count == 1
    return db


def all_cells(df) -> str:
    return "\n".join(str(v) for v in [*df.columns, *df.to_numpy().ravel()])


def test_the_data_quality_panel_lists_the_warnings_of_the_load(tmp_path, monkeypatch):
    db = _store_with_a_warning(tmp_path)
    at = data_page(db, monkeypatch)
    assert not problems(at), problems(at)
    assert at.selectbox(key="quality_load").value == 1
    kinds = next(df.value for df in at.dataframe if "警告类型" in df.value.columns and "行数" in df.value.columns)
    assert kinds.to_dict("list") == {"警告类型": ["办理时间早于到达时间"], "数据表": ["审批记录"], "行数": [1]}
    rows = next(df.value for df in at.dataframe if "对照值" in df.value.columns)
    assert rows[["文件", "行号", "列", "值", "对照值"]].values.tolist() == [
        [STEPS_FILE, 2, "办理时间", "2024-06-02 15:30:00", "2024-06-03 09:00:00"]]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "CSV · 数据质量" in labels and "XLSX · 数据质量" in labels


def test_the_load_history_reads_in_the_interface_language(tmp_path, monkeypatch):
    db = _store_with_a_warning(tmp_path)
    at = data_page(db, monkeypatch)
    history = next(df.value for df in at.dataframe if "导入时间" in df.value.columns)
    assert list(history.columns) == ["批次", "导入时间", "文件", "各表行数", "警告", "未保存的列"]
    [row] = history.to_dict("records")
    assert STEPS_FILE in row["文件"] and "人员名册.csv" in row["文件"]
    assert row["各表行数"] == "人员名册 6、案件 2、会议 1、审批记录 5、替补记录 1、会议议题 1" and row["警告"] == 1
    # history, quality panel and store contents: no raw JSON, no English codes or table names
    tables = [df.value for df in at.dataframe if "设置项" not in df.value.columns]
    cells = "\n".join(all_cells(df) for df in tables)
    assert "{" not in cells and "[" not in cells  # no raw JSON
    for english in ("staff", "approvals", "meeting_items", "substitutions", "decided_before_received"):
        assert english not in cells, english
    en = data_page(db, monkeypatch, lang="en")
    history = next(df.value for df in en.dataframe if "Loaded at" in df.value.columns)
    assert "Approval steps 5" in history.to_dict("records")[0]["Rows per table"]


def test_the_page_states_the_upload_limit_and_lists_every_setting(tmp_path, monkeypatch):
    from pipelines.domain.settings import SETTINGS

    db = _store_with_a_warning(tmp_path)
    at = data_page(db, monkeypatch)
    limit = f"{st.get_option('server.maxUploadSize'):,g} MB"
    assert any(limit in c.value and "server.maxUploadSize" in c.value for c in at.caption), [c.value for c in at.caption]
    settings = next(df.value for df in at.dataframe if "设置项" in df.value.columns)
    assert settings["设置项"].tolist() == [s.key for s in SETTINGS]
    assert all(settings["说明"]) and list(settings.columns) == ["设置项", "当前值", "默认值", "说明"]


def test_invalid_settings_are_shown_located_and_nothing_can_be_loaded(tmp_path, monkeypatch):
    db = _store_with_a_warning(tmp_path)
    (db.parent / "settings.toml").write_text("[latency.warning]\nyellow_share = nan\n", encoding="utf-8")
    before = sha256(db)
    at = data_page(db, monkeypatch)
    assert not problems(at), problems(at)
    errors = [e.value for e in at.error]
    assert any("settings.toml 第 2 行" in e and "latency.warning.yellow_share" in e for e in errors), errors
    at.file_uploader(key="uploads").set_value(valid_files()).run()
    assert load_button(at).disabled
    assert "设置有误" in "\n".join(t.value for t in at.text)
    assert sha256(db) == before


def test_streamlit_config_hides_deploy_and_limits_uploads():
    """make run serves from the project folder, so .streamlit/config.toml applies."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "minimal"  # no Deploy button
    assert 0 < config["server"]["maxUploadSize"] <= 1024


# ------------------------------------------------------------------------------------------ monthly report
# (the Overview page's Word download lives here too: this module is the one that drives page workflows)
def test_overview_makes_the_monthly_word_report_for_the_chosen_month_and_filters(demo_db, monkeypatch):
    import io

    import docx

    monkeypatch.setenv("TIERWATCH_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["division"] = "执行一处"
    at.run()
    assert not problems(at), problems(at)
    month = at.selectbox(key="monthly_month")
    snapshot = next(c.value for c in at.sidebar.caption if c.value.startswith("数据截至"))
    assert month.value == snapshot.split()[-2][:7], (month.value, snapshot)  # default: the snapshot's month
    assert not [b for b in at.get("download_button") if "月报" in b.proto.label], "a report offered before it was made"

    chosen = month.options[1]  # the month before the snapshot's
    month.set_value(chosen).run()
    at.button(key="monthly_make").click().run()
    assert not problems(at), problems(at)
    want, data = at.session_state["_monthly_docx"]
    assert want[2] == chosen and want[3].divisions == ("执行一处",) and want[4] == "zh"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert chosen in text and "执行一处" in text, text[:500]
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"下载 {chosen} 月报" in labels, labels


# ------------------------------------------------------------------------------------------ masked chart exports
def test_exported_charts_mask_names_when_the_sidebar_option_is_set(demo_db):
    import json

    from pipelines import queries
    from pipelines.core.filters import Filters
    from pipelines.present import charts
    from pipelines.present.chart_export import chart_to_svg
    from pipelines.store.db import connect_readonly
    from views import _store, _widgets

    con = connect_readonly(demo_db)
    try:
        by_person = queries.pareto_wait(con, Filters(), "approver")
        roster = dict(con.sql("SELECT name, staff_id FROM staff").fetchall())
    finally:
        con.close()
    by_person = by_person.with_columns(pl.col("name").fill_null(pl.col("key")).alias("key_label"))
    chart = charts.with_title(charts.pareto(by_person, "审批人", "zh"), "等待时间去向", ["全部"])
    drawn = by_person.filter(pl.col("rank") <= charts.TOP_N)  # the chart draws the first TOP_N
    shown = [n for n in drawn["name"].drop_nulls().to_list() if n in roster]
    assert shown, "the demo's Pareto chart names no approver"
    stamp = _store.stamp(demo_db)

    plain = json.dumps(_widgets.export_spec(chart, _store.name_masks(str(demo_db), stamp, "none")), ensure_ascii=False)
    assert all(n in plain for n in shown)

    by_id = _widgets.export_spec(chart, _store.name_masks(str(demo_db), stamp, "id"))
    text = json.dumps(by_id, ensure_ascii=False)
    assert not [n for n in shown if n in text]
    assert all(roster[n] in text for n in shown)
    svg = chart_to_svg(by_id)
    assert roster[shown[0]] in svg and shown[0] not in svg

    initials = json.dumps(_widgets.export_spec(chart, _store.name_masks(str(demo_db), stamp, "initials")), ensure_ascii=False)
    assert not [n for n in shown if n in initials] and "某" in initials
