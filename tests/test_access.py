"""Accounts, the scope a post gives, the audit trail, the command line and the server's safe default, on real
files (a SQLite access file beside a real DuckDB store); and the scope as a property of the query layer: for
random filters and random scopes, every figure computes over the scope's rows only (hypothesis)."""

from __future__ import annotations

import io
import json
import math
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storebuilder import make_store, step, sub

from pipelines import queries
from pipelines.access import accounts, audit, serving
from pipelines.access._db import access_path
from pipelines.access.scope import scope_for
from pipelines.cli import main
from pipelines.core.filters import Filters
from pipelines.core.scope import Scope
from pipelines.queries import _pseudonyms
from pipelines.queries.latency import LATENCY_DIMENSIONS
from pipelines.queries.records import RECORD_KINDS
from pipelines.store.db import connect_readonly
from pipelines.tables.marts import MARTS

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------ accounts
def test_accounts_live_beside_the_store_hashed_with_argon2(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    accounts.add_account(db, "lead1", "correct horse", staff_id="L1", email="lead1@court.example", lang="en")
    assert access_path(db) == tmp_path / "warehouse.access.sqlite" and access_path(db).exists()
    assert access_path(db).stat().st_mode & 0o077 == 0, "the access file is readable by its owner only"
    raw = access_path(db).read_bytes()
    assert b"correct horse" not in raw
    with sqlite3.connect(access_path(db)) as con:
        digest = con.execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert digest.startswith("$argon2id$")
    assert accounts.list_accounts(db) == [accounts.Account("lead1", "staff", "L1", "lead1@court.example", "en", False)]
    assert accounts.verify_password(db, "lead1", "correct horse")
    assert not accounts.verify_password(db, "lead1", "wrong horse")
    assert accounts.find_account(db, "LEAD1@court.example").login == "lead1"
    with pytest.raises(accounts.AccountError):
        accounts.add_account(db, "lead1", "another password", role="admin")
    with pytest.raises(accounts.AccountError):
        accounts.add_account(db, "x y", "a password!", role="admin")


def test_five_wrong_passwords_lock_the_login_for_fifteen_minutes(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    accounts.add_account(db, "a", "the password", role="admin")
    t0 = datetime(2026, 1, 5, 9, 0)
    outcomes = [accounts.sign_in(db, "a", "nope", now=t0).outcome for _ in range(4)]
    assert outcomes == ["wrong"] * 4
    fifth = accounts.sign_in(db, "a", "nope", now=t0)
    assert fifth.outcome == "locked" and fifth.locked_now and fifth.until == t0 + timedelta(minutes=15)
    # locked: even the right password is refused until the lock ends
    assert accounts.sign_in(db, "a", "the password", now=t0 + timedelta(minutes=14)).outcome == "locked"
    assert accounts.sign_in(db, "a", "the password", now=t0 + timedelta(minutes=16)).outcome == "ok"
    # a success resets the count
    assert [accounts.sign_in(db, "a", "nope", now=t0 + timedelta(hours=1)).outcome for _ in range(4)] == ["wrong"] * 4
    assert accounts.sign_in(db, "a", "the password", now=t0 + timedelta(hours=1)).outcome == "ok"
    assert accounts.sign_in(db, "a", "nope", now=t0 + timedelta(hours=1)).outcome == "wrong"
    # disabled accounts never sign in; unknown logins look like a wrong password
    accounts.set_disabled(db, "a", True)
    assert accounts.sign_in(db, "a", "the password", now=t0 + timedelta(hours=2)).outcome == "disabled"
    assert accounts.sign_in(db, "nobody", "the password").outcome == "wrong"


# ------------------------------------------------------------------------------------------ scope from the roster
@pytest.fixture(scope="module")
def roster_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("roster") / "warehouse.duckdb"
    make_store(
        db,
        approvals=[step("X1", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 12:00", team="T1"),
                   step("X2", 1, "TEAM_LEAD", "L3", "2024-03-05 09:00", "2024-03-06 12:00", team="T3")],
        # D2 acts for the chief, authorised, over the snapshot; D1's substitution ended before it
        substitutions=[sub("S1", "C1", "D2", "C1", "2024-03-01 00:00", "2024-03-31 23:59", authorized=True),
                       sub("S2", "C1", "D1", "C1", "2024-02-01 00:00", "2024-02-10 23:59", authorized=True)],
    )
    return db


def _scope(db: Path, account: accounts.Account) -> Scope | None:
    con = connect_readonly(db)
    try:
        return scope_for(account, con)
    finally:
        con.close()


def test_scope_follows_the_post_on_the_roster(roster_db):
    staff = lambda sid: accounts.Account("x", "staff", sid)
    con = connect_readonly(roster_db)
    snapshot = con.sql("SELECT value FROM meta WHERE key = 'snapshot_at'").fetchall()[0][0]
    con.close()
    assert str(snapshot).startswith("2024-03"), snapshot  # the substitutions above are about this moment
    assert _scope(roster_db, staff("VP1")) == Scope.bureau()
    assert _scope(roster_db, staff("C1")) == Scope.bureau()
    assert _scope(roster_db, staff("D1")) == Scope.division("D-ONE")
    assert _scope(roster_db, staff("D2")) == Scope.bureau(), "acting for the chief under an authorised substitution"
    assert _scope(roster_db, staff("L1")) == Scope.team("T1")
    assert _scope(roster_db, staff("M1")) is None, "a team member has no dashboard access"
    assert _scope(roster_db, staff("GONE")) is None, "a person no longer on the roster has none"
    assert _scope(roster_db, accounts.Account("a", "analyst")) == Scope.bureau(pseudonyms=True)
    assert _scope(roster_db, accounts.Account("a", "admin")) == Scope.bureau()
    assert _scope(roster_db, accounts.Account("a", "admin", disabled=True)) is None


def test_reloading_the_roster_moves_the_scope_with_the_person(tmp_path):
    """岗位调整: the roster loaded again with the team leader moved to another team, and then made a member."""
    from storebuilder import ROSTER

    from pipelines.ingest.loader import load_paths

    db = tmp_path / "warehouse.duckdb"
    make_store(db, approvals=[step("X1", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 12:00")])
    lead = accounts.Account("x", "staff", "L1")
    assert _scope(db, lead) == Scope.team("T1")
    for post, team, division, want in (("TEAM_LEAD", "T3", "D-TWO", Scope.team("T3")), ("MEMBER", "T3", "D-TWO", None)):
        roster = tmp_path / "staff.csv"
        rows = [("L1", "Lead One", post, team, division) if r[0] == "L1" else r for r in ROSTER]
        roster.write_text("staff_id,name,post,team,division\n" + "".join(
            ",".join(v or "" for v in r) + "\n" for r in rows), encoding="utf-8")
        report = load_paths([roster], db)
        assert report.ok, report.format("en")
        assert _scope(db, lead) == want


def test_filters_within_a_scope_drop_values_outside_it():
    team = Scope.team("T1")
    assert Filters(teams=("T2",)).within(team).teams == ("T1",)
    assert Filters(teams=("T1", "T2")).within(team).teams == ("T1",)
    div = Scope.division("D-ONE")
    assert Filters(divisions=("D-TWO",)).within(div).divisions == ("D-ONE",)
    assert Filters().within(div).scope == div
    # the scope never reaches a URL
    assert "scope" not in Filters().within(team).query_string()
    assert Filters.from_query_params({"team": "T2"}).scope is None


# ------------------------------------------------------------------------------------------ the property
TEAM_OPTIONS = None


def _narrowed(f: Filters) -> Filters:
    """`f`'s scope written as plain filters (what `report --team/--division` would ask): the scope's
    divisions/teams intersected with those chosen; an empty intersection matches nothing."""
    s = f.scope
    out = replace(f, scope=None)
    for attr, allowed in (("divisions", s.divisions), ("teams", s.teams)):
        if allowed is None:
            continue
        chosen = getattr(f, attr)
        keep = tuple(v for v in chosen if v in allowed) if chosen else allowed
        out = replace(out, **{attr: keep or ("\x00nothing",)})
    return out


def _calls(f: Filters, snapshot) -> list[tuple[str, tuple]]:
    calls = []
    for name in sorted(queries.FIGURES):
        if name == "latency_by":
            calls += [(name, (d,)) for d in LATENCY_DIMENSIONS]
        elif name == "substitutions_by":
            calls += [(name, (d,)) for d in ("team", "division", "post_pair")]
        elif name in ("records_count", "records_page"):
            calls += [(name, (k,)) for k in RECORD_KINDS]
        elif name == "pareto_wait":
            calls += [(name, ("approver",)), (name, ("level",))]
        elif name == "substitution_timeline":
            calls.append((name, (snapshot,)))
        elif name == "rework_by":
            from pipelines.queries.paths import REWORK_DIMENSIONS

            calls += [(name, (d,)) for d in REWORK_DIMENSIONS]
        elif name == "open_cases_by":
            calls += [(name, ("team",)), (name, ("judge",))]
        else:
            calls.append((name, ()))
    return calls


def _same(a, b) -> bool:
    if isinstance(a, pl.DataFrame):
        return isinstance(b, pl.DataFrame) and a.equals(b, null_equal=True)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _org_rows_inside(result, scope: Scope) -> list:
    """Rows of a result that carry a team or division outside the scope."""
    out = []
    frames = [result] if isinstance(result, pl.DataFrame) else [r for r in (result if isinstance(result, tuple) else ())
                                                                if isinstance(r, pl.DataFrame)]
    for df in frames:
        if scope.teams is not None and "team" in df.columns:
            out += [v for v in df["team"].to_list() if v not in scope.teams and v not in (None, "—")]
        if scope.divisions is not None and "division" in df.columns:
            out += [v for v in df["division"].to_list() if v not in scope.divisions and v not in (None, "—")]
    return out


@pytest.fixture(scope="module")
def org(con):
    opts = queries.filter_options(con)
    snapshot = queries.meta(con).get("snapshot_at")
    return opts, datetime.fromisoformat(str(snapshot))


@st.composite
def filters_and_scopes(draw, opts):
    months = sorted({m for m in (opts.get("months") or [])})
    teams = [t for t, _ in opts["teams"]]
    start_y = draw(st.sampled_from([None, 2023, 2024]))
    start = end = None
    if start_y:
        from datetime import date
        start = date(start_y, draw(st.integers(1, 6)), 1)
        end = date(2024, draw(st.integers(start.month if start_y == 2024 else 1, 6)), 1)
    f = Filters(
        start=start, end=end,
        divisions=tuple(draw(st.lists(st.sampled_from(opts["divisions"]), max_size=2, unique=True))),
        teams=tuple(draw(st.lists(st.sampled_from(teams), max_size=2, unique=True))),
        matter_types=tuple(draw(st.lists(st.sampled_from(opts["matter_types"]), max_size=2, unique=True))),
        levels=tuple(draw(st.lists(st.sampled_from(opts["levels"]), max_size=1, unique=True))),
    )
    del months
    kind = draw(st.sampled_from(["team", "division", "both"]))
    scope = Scope(
        divisions=tuple(draw(st.lists(st.sampled_from(opts["divisions"]), min_size=1, max_size=2, unique=True)))
        if kind in ("division", "both") else None,
        teams=tuple(draw(st.lists(st.sampled_from(teams), min_size=1, max_size=2, unique=True)))
        if kind in ("team", "both") else None,
    )
    return f, scope


def test_scope_property_no_row_outside_the_scope_reaches_any_query(con, org):
    """For random filters and random scopes, every figure of the query layer (every page's, export's, the
    report's and the Word report's) gives exactly what it gives over the scope's rows alone, and no row it
    returns names a team or division outside the scope. 20 examples x ~60 queries x 2 on the demo store (~15 s):
    each example covers every figure, so few examples cover a lot (the suite must stay under 8 minutes)."""
    opts, snapshot = org

    @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(filters_and_scopes(opts))
    def check(case):
        f, scope = case
        scoped = replace(f, scope=scope)
        plain = _narrowed(scoped)
        for name, args in _calls(f, snapshot):
            fn = getattr(queries, name)
            got = fn(con, scoped, *args)
            assert _same(got, fn(con, plain, *args)), f"{name}{args} under {scope} differs from its rows alone"
            assert _org_rows_inside(got, scope) == [], f"{name}{args} returned rows outside {scope}"

    check()


def test_every_figure_applies_the_scope_to_every_mart_that_has_its_columns(con, org):
    """The WHERE builder is the one enforcement point: traced, every where() of every figure on a mart with
    a team (division) column carries the scope's condition, even where the figure drops the filter."""
    opts, snapshot = org
    team, division = opts["teams"][0]
    for scope in (Scope.team(team), Scope.division(division), Scope(divisions=(division,), teams=(team,))):
        f = Filters(scope=scope)  # the scope alone, no filter chosen
        for name, args in _calls(f, snapshot):
            with queries.tracing(scope=True) as calls:
                getattr(queries, name)(con, f, *args)
            for fig, mart, _, scoped in calls:
                columns = MARTS[mart].filters
                want = (scope.teams is not None and "team" in columns) + (scope.divisions is not None and "division" in columns)
                assert scoped == want, (name, fig, mart, scope)
    # a team filter outside the scope matches nothing, however it is asked
    other = next(t for t, _ in opts["teams"] if t != team)
    assert queries.pending_count(con, Filters(teams=(other,), scope=Scope.team(team))) == 0
    assert queries.records_count(con, Filters(teams=(other,), scope=Scope.team(team)), "steps") == 0


def test_analysts_see_stable_pseudonyms_in_every_figure(con):
    roster = queries.roster_names(con)
    names = set(roster["name"].to_list())
    ids = set(roster["staff_id"].to_list())
    f = Filters(scope=Scope.bureau(pseudonyms=True))
    people = queries.workload_speed(con, f)
    assert people.height > 0
    assert not (set(people["name"].to_list()) & names) and not (set(people["approver_id"].to_list()) & ids)
    assert all(v.startswith(_pseudonyms.PREFIX) for v in people["name"].to_list())
    plain = queries.workload_speed(con, Filters())
    # stable: the same person, the same pseudonym, in another figure and another call
    first = dict(zip(plain["approver_id"], people["approver_id"], strict=True))
    again = queries.slowest_approvers(con, f, n=50, min_steps=1)
    plain_again = queries.slowest_approvers(con, Filters(), n=50, min_steps=1)
    for pid, shown in zip(plain_again["approver_id"], again["approver_id"], strict=True):
        assert shown == first.get(pid, shown)
    found = queries.records_page(con, f, "findings", limit=200)
    text = " ".join(str(v) for col in ("detail", "people") if col in found.columns for v in found[col].to_list())
    assert not [n for n in names if n and n in text], "a roster name inside a finding's detail"


# ------------------------------------------------------------------------------------------ the audit trail
def test_the_audit_trail_is_append_only_and_keeps_no_secret(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    audit.record(db, "lead1", "sign_in", outcome="ok", password="hunter2", cookie="abc", token="t", method="password")
    rows = audit.read(db)
    assert rows[0]["details"] == {"outcome": "ok", "method": "password"}
    assert b"hunter2" not in access_path(db).read_bytes()
    with sqlite3.connect(access_path(db)) as raw:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE audit SET who = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM audit")
    assert len(audit.read(db)) == 1


def test_users_and_audit_on_the_command_line(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"

    def run(*args, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        out = io.StringIO()
        with redirect_stdout(out):
            code = main([*args, "--db", str(db)])
        return code, out.getvalue()

    assert run("users", "add", "boss", "--role", "admin", "--lang", "en", stdin="a long password\n")[0] == 0
    assert run("users", "add", "lead", "--staff", "L1", "--email", "lead@court.example", stdin="another password\n")[0] == 0
    assert run("users", "add", "short", "--role", "analyst", stdin="short\n")[0] == 1
    assert run("users", "add", "sso", "--role", "analyst", "--email", "sso@court.example", "--sso-only")[0] == 0
    assert accounts.find_account(db, "sso@court.example").login == "sso" and not accounts.verify_password(db, "sso", "")
    assert accounts.verify_password(db, "boss", "a long password")
    code, listing = run("users", "list")
    assert code == 0 and "boss\tadmin" in listing and "lead\tstaff\tL1\tlead@court.example" in listing
    assert run("users", "disable", "lead")[0] == 0 and accounts.get_account(db, "lead").disabled
    assert run("users", "enable", "lead")[0] == 0 and not accounts.get_account(db, "lead").disabled
    assert run("users", "passwd", "lead", stdin="a new password\n")[0] == 0
    assert accounts.verify_password(db, "lead", "a new password")
    assert run("users", "disable", "nobody")[0] == 1
    code, text = run("audit", "--json", "--since", "2000-01-01")
    actions = [r["action"] for r in json.loads(text)]
    assert actions == ["account_add", "account_add", "account_add", "account_disable", "account_enable", "account_passwd"]
    assert "password" not in text.replace("account_passwd", "")
    code, text = run("audit")
    assert code == 0 and "account_add" in text and "login=boss" in text
    assert run("audit", "--since", "2999-01-01")[1].strip() in ("没有留痕记录。", "The audit trail is empty.")


# ------------------------------------------------------------------------------------------ the server
def test_serve_refuses_a_network_address_without_sign_in(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    proc = subprocess.run([sys.executable, "serve.py", "--server.address", "0.0.0.0", "--server.headless", "true"],
                          cwd=ROOT, env={**_env(), "TIERWATCH_DB": str(db)}, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "users add" in proc.stderr and "[auth]" in proc.stderr and "ADDRESS=0.0.0.0" in proc.stderr


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}


def test_serving_plan_is_local_unless_sign_in_is_configured(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    p = serving.plan(["--server.port", "8501"], db, tmp_path)
    assert p.local_mode and not p.refused and p.argv[-4:] == ["--server.address", "127.0.0.1",
                                                              "--client.showErrorDetails", "none"]
    assert serving.plan(["--server.address=0.0.0.0"], db, tmp_path).refused
    assert not serving.plan(["--server.address", "localhost"], db, tmp_path).refused
    # an [auth] section configures sign-in (the court's SSO) ...
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[auth]\nredirect_uri = "https://tw.court.example/oauth2callback"\ncookie_secret = "x"\n')
    assert not serving.plan(["--server.address", "0.0.0.0"], db, tmp_path).refused
    secrets.unlink()
    # ... and so does an account
    accounts.add_account(db, "boss", "a long password", role="admin")
    p = serving.plan(["--server.address", "0.0.0.0"], db, tmp_path)
    assert not p.refused and not p.local_mode and p.address == "0.0.0.0"


def test_start_up_clears_uploads_left_behind(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    root = serving.upload_root(db)
    (root / "left-over").mkdir(parents=True)
    (root / "left-over" / "staff.csv").write_text("x")
    other = serving.upload_root(tmp_path / "other.duckdb")
    assert other != root
    assert serving.clear_uploads(db) == 1 and not root.exists()


# ------------------------------------------------------------------------------------------ the session (AppTest)
def test_an_idle_session_is_signed_out_and_sign_out_is_recorded(tmp_path, demo_db, monkeypatch):
    """Setting `[access] idle_hours`: a session idle longer is signed out at its next run, and says so."""
    import time

    from streamlit.testing.v1 import AppTest

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    (tmp_path / "settings.toml").write_text("[access]\nidle_hours = 0.001\n", encoding="utf-8")  # 3.6 s
    accounts.add_account(db, "boss", "a long password", role="admin")
    monkeypatch.setenv("TIERWATCH_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert [x.label for x in at.text_input] == ["登录名", "密码"] and not at.metric
    at.text_input(key="signin_login").input("boss")
    at.text_input(key="signin_password").input("a long password")
    at.get("form_submit_button")[0].click()
    at.run()
    assert at.metric, "signed in: the Overview's figures"
    assert any("boss" in c.value for c in at.sidebar.caption)
    time.sleep(4)
    at.run()
    assert not at.metric and any("长时间未操作" in i.value for i in at.info), [i.value for i in at.info]
    # signed in again, then out by the sidebar's button
    at.text_input(key="signin_login").input("boss")
    at.text_input(key="signin_password").input("a long password")
    at.get("form_submit_button")[0].click()
    at.run()
    at.button(key="signout").click()
    at.run()
    assert not at.metric and [x.label for x in at.text_input] == ["登录名", "密码"]
    actions = [(r["who"], r["action"]) for r in audit.read(db) if r["action"] != "page_view"]
    assert actions == [("boss", "sign_in"), ("boss", "session_expired"), ("boss", "sign_in"), ("boss", "sign_out")]
