"""Generate the demo bureau's records as polars frames (codes, typed values); `pipelines/demo/write.py` writes
them out.

A bureau as DOMAIN.md describes it: one VP, one chief, three deputies each leading a division, nine
teams of 5-8 people per unit of `scale`, and `2 * scale` years of approval steps, substitutions and
meetings ending on `END` (at most MAX_YEARS: beyond, more teams). Every rule of DOMAIN.md §4 gets a few planted breaches, all dated after the
regulation's default effective date so the rules judge them (the later five rules' breaches are planted
last, from a random stream of their own, so they leave every other record as it was). Records stay valid against the contract:
breaches are of the regulation, never of the file format.

Approval steps are generated column-wise (numpy + polars): matters are drawn per team and working day,
each matter picks a routing template (a list of (level, role, decision) steps), templates are joined in,
latencies are drawn log-normally per level in "working minutes" (08:30-18:00 on official working days)
and turned into timestamps by index arithmetic on the calendar. No Python loop runs per step; the small
tables (staff, substitutions, meetings) use short loops over people or meetings.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

END = dt.datetime(2024, 6, 30, 23, 59)  # the demo's fixed end (a snapshot at the end of June 2024)
EFFECTIVE = dt.date(2023, 1, 1)  # the rules' default effective date; breaches are planted after it
BREACH_FROM = dt.date(2023, 2, 1)

DAY_MIN = 570  # working minutes per working day, 08:30-18:00
DAY_START = 510  # 08:30 in minutes after midnight

DIVISIONS = ("执行一处", "执行二处", "执行三处")

# --------------------------------------------------------------------------------------------------
# Calendar: official working days, and the slow weeks around Spring Festival and National Day
# --------------------------------------------------------------------------------------------------


@dataclass
class Calendar:
    days: np.ndarray  # datetime64[D] of every working day, ascending
    slow: np.ndarray  # latency factor per working day (>1 around long holidays)
    spring: dict[int, tuple[dt.date, dt.date]]  # year -> Spring Festival holiday (first, last day)

    def index(self, d) -> np.ndarray:
        """Index of the first working day on or after each date."""
        return np.searchsorted(self.days, np.asarray(d, dtype="datetime64[D]"), side="left")

    def to_datetime(self, w: np.ndarray) -> np.ndarray:
        """Working-minute coordinates -> datetime64[m]."""
        day = np.minimum(w // DAY_MIN, len(self.days) - 1)
        return self.days[day].astype("datetime64[m]") + (DAY_START + w % DAY_MIN).astype("timedelta64[m]")


def build_calendar(first: dt.date, last: dt.date) -> Calendar:
    from chinese_calendar import constants

    holidays = constants.holidays  # date -> holiday name
    in_lieu = constants.workdays  # weekend days worked in lieu
    years = {d.year for d in holidays}
    n = (last - first).days + 1
    all_days = [first + dt.timedelta(days=i) for i in range(n)]
    work = np.array(
        [
            (d in in_lieu) or (d.weekday() < 5 and d not in holidays)
            if d.year in years
            else d.weekday() < 5
            for d in all_days
        ]
    )
    spring: dict[int, tuple[dt.date, dt.date]] = {}
    for d, name in holidays.items():
        if "Spring" in str(name):
            lo, hi = spring.get(d.year, (d, d))
            spring[d.year] = (min(lo, d), max(hi, d))
    for y in range(first.year, last.year + 1):  # years the package does not cover: a typical date
        spring.setdefault(y, (dt.date(y, 2, 1), dt.date(y, 2, 7)))
    days = np.array(all_days, dtype="datetime64[D]")[work]
    slow = np.ones(len(days))
    for y in range(first.year, last.year + 1):
        lo, hi = spring[y]
        for a, b in ((lo - dt.timedelta(days=10), hi + dt.timedelta(days=7)),
                     (dt.date(y, 9, 22), dt.date(y, 10, 14))):
            slow[(days >= np.datetime64(a)) & (days <= np.datetime64(b))] = 1.8
    return Calendar(days, slow, spring)


# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞建国志新宇浩然晨阳雪梅林波斌辉宁欣怡佳琪子轩博文凯俊丹婷倩颖媛琳璐瑶露慧晓峰亮海成东永红春燕丽君亚楠振华立伟思源嘉怡卫民庆"
)
MEMBER_POSTS = ("执行法官", "法官助理", "书记员", "司法警察")
MEMBER_TITLES = {"执行法官": ("一级法官", "二级法官", "四级高级法官"), "法官助理": ("法官助理",),
                 "书记员": ("书记员",), "司法警察": ("二级警长", "一级警员")}

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 105 -> 一百零五 (team names)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else (CN_DIGITS[1] + cn_number(rest) if rest < 20 else cn_number(rest)))
    return CN_DIGITS[n // 100] + "百" + tail


@dataclass
class Org:
    staff: pl.DataFrame  # staff_id, name, post (code), post_cell, team, division, title, party_secretary
    ids: np.ndarray  # staff index -> staff id
    president: int
    vp: int
    chief: int
    deputies: np.ndarray  # division index -> staff index
    team_names: np.ndarray  # team index -> name
    team_division: np.ndarray  # team index -> division index
    leader: np.ndarray  # team index -> staff index of the leader
    member_start: np.ndarray  # team index -> offset into `members`
    member_count: np.ndarray  # team index -> number of members (leader excluded)
    members: np.ndarray  # flat staff indices of members, grouped by team

    def random_member(self, rng: np.random.Generator, teams: np.ndarray) -> np.ndarray:
        k = (rng.random(len(teams)) * self.member_count[teams]).astype(np.int64)
        return self.members[self.member_start[teams] + k]


def build_org(rng: np.random.Generator, n_teams: int) -> Org:
    rows: list[dict] = []

    def person(post: str, post_cell: str, title: str, team=None, division=None, secretary=False) -> int:
        surname = SURNAMES[min(int(rng.exponential(18)), len(SURNAMES) - 1)]
        given = "".join(rng.choice(GIVEN, size=1 + int(rng.random() < 0.7)))
        rows.append({"staff_id": f"W{len(rows) + 1:04d}", "name": surname + given, "post": post, "post_cell": post_cell,
                         "team": team, "division": division, "title": title, "party_secretary": secretary})
        return len(rows) - 1

    president = person("PRESIDENT", "院长", "党组书记、院长")
    vp = person("VP", "分管副院长", "党组成员、副院长")
    chief = person("CHIEF", "执行局长", "执行局局长")
    deputies = np.array([
        person("DEPUTY", "副局长", "执行局副局长", division=DIVISIONS[i], secretary=(i == 2)) for i in range(3)
    ])
    team_names, team_division, leader, member_start, member_count, members = [], [], [], [], [], []
    for t in range(n_teams):
        name = f"执行{cn_number(t + 1)}团队"
        div = t * 3 // n_teams  # consecutive teams share a division
        team_names.append(name)
        team_division.append(div)
        leader.append(person("TEAM_LEAD", "团队长" if t % 4 else "TEAM_LEAD", "执行团队长", name, DIVISIONS[div]))
        size = int(rng.integers(4, 8))  # members besides the leader: team of 5-8
        member_start.append(len(members))
        member_count.append(size)
        for k in range(size):
            post_cell = MEMBER_POSTS[0] if k == 0 else MEMBER_POSTS[int(rng.integers(0, 4))]
            title = str(rng.choice(MEMBER_TITLES[post_cell]))
            if rng.random() < 0.08:
                post_cell = "MEMBER"  # some systems export the code
            members.append(person("MEMBER", post_cell, title, name, DIVISIONS[div]))
    staff = pl.DataFrame(rows, schema={"staff_id": pl.String, "name": pl.String, "post": pl.String,
                                       "post_cell": pl.String, "team": pl.String, "division": pl.String,
                                       "title": pl.String, "party_secretary": pl.Boolean})
    return Org(staff, staff["staff_id"].to_numpy(), president, vp, chief, deputies, np.array(team_names),
               np.array(team_division), np.array(leader), np.array(member_start), np.array(member_count),
               np.array(members))


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------

CASE_KINDS = (("首次执行", "执", 0.70), ("恢复执行", "执恢", 0.15), ("执行异议", "执异", 0.08), ("财产保全", "执保", 0.07))


def build_cases(rng: np.random.Generator, org: Org, cal: Calendar, first: dt.date) -> pl.DataFrame:
    """Cases filed per team per working day from a year before the first approval to the end."""
    d0 = cal.index(np.datetime64(first - dt.timedelta(days=365)))
    d1 = int(np.searchsorted(cal.days, np.datetime64(END.date()), "right"))
    n_teams = len(org.team_names)
    counts = rng.poisson(0.62, size=(n_teams, d1 - d0))
    team = np.repeat(np.repeat(np.arange(n_teams), d1 - d0), counts.ravel())
    day = np.repeat(np.tile(np.arange(d0, d1), n_teams), counts.ravel())
    n = len(team)
    kind = rng.choice(len(CASE_KINDS), size=n, p=[k[2] for k in CASE_KINDS])
    filed = cal.days[day]
    closed = filed + rng.lognormal(np.log(110), 0.7, n).astype("timedelta64[D]")
    judge = np.where(rng.random(n) < 0.8, org.random_member(rng, team), org.leader[team])
    amount = np.round(rng.lognormal(np.log(80_000), 1.5, n), 2)
    df = pl.DataFrame({
        "team_idx": team, "filed_on": filed.astype("datetime64[D]"), "kind": kind,
        "closed_on": np.where(closed <= np.datetime64(END.date()), closed, np.datetime64("NaT")).astype("datetime64[D]"),
        "judge_id": org.ids[judge], "amount_yuan": amount, "is_major": rng.random(n) < 0.02,
    })
    kinds = pl.DataFrame({"kind": np.arange(len(CASE_KINDS)), "case_kind": [k[0] for k in CASE_KINDS],
                          "word": [k[1] for k in CASE_KINDS]})
    df = df.join(kinds, on="kind", how="left").sort("filed_on", "team_idx", maintain_order=True)
    df = df.with_columns(year=pl.col("filed_on").dt.year())
    df = df.with_columns(serial=pl.int_range(1, pl.len() + 1).over("year", "word") + 20)
    return df.with_columns(
        case_id=pl.format("（{}）豫1302{}{}号", "year", "word", "serial"),
        team=pl.col("team_idx").replace_strict(dict(enumerate(org.team_names.tolist())), return_dtype=pl.String),
    ).sort("team_idx", "filed_on", maintain_order=True)


# --------------------------------------------------------------------------------------------------
# Duty substitutions
# --------------------------------------------------------------------------------------------------

LEAVE_REASONS = {"spring": ("春节休假", "探亲假"), "summer": ("年休假", "外出学习培训", "婚假"),
                 "national": ("国庆休假", "年休假"), "other": ("病假", "外出学习培训", "事假")}


def _seasons(cal: Calendar, first: dt.date) -> list[tuple[str, dt.date, int]]:
    """(season, first day, length in days) of every leave season in the demo's range."""
    out = []
    for y in range(first.year, END.year + 1):
        lo, hi = cal.spring[y]
        out += [("spring", lo - dt.timedelta(days=10), (hi - lo).days + 16),
                ("summer", dt.date(y, 7, 8), 50), ("national", dt.date(y, 9, 24), 18)]
    return [s for s in out if first <= s[1] <= END.date()]


def _interval(start: np.ndarray, days: np.ndarray, form: np.ndarray):
    """Covered interval of each substitution: ts form 08:30..18:00, date forms 00:00..23:59:59."""
    start = start.astype("datetime64[s]")
    ts = form == "ts"
    s = start + np.where(ts, 510 * 60, 0).astype("timedelta64[s]")
    e = start + (days * 86400).astype("timedelta64[s]") + np.where(ts, -(6 * 3600), -1).astype("timedelta64[s]")
    return s.astype("datetime64[us]"), e.astype("datetime64[us]")


def build_substitutions(rng: np.random.Generator, org: Org, cal: Calendar, first: dt.date) -> pl.DataFrame:
    n_teams = len(org.team_names)
    seasons = _seasons(cal, first)
    parts = []  # dicts of equal-length arrays
    # Leave seasons: members and team leaders away, a member of the same team steps in.
    s_kind = np.array([s[0] for s in seasons])
    s_start = np.array([s[1] for s in seasons], dtype="datetime64[D]")
    s_len = np.array([s[2] for s in seasons])
    for who, lam in (("member", 1.2), ("leader", 0.6)):
        counts = rng.poisson(lam, size=(n_teams, len(seasons))).ravel()
        team = np.repeat(np.repeat(np.arange(n_teams), len(seasons)), counts)
        season = np.repeat(np.tile(np.arange(len(seasons)), n_teams), counts)
        n = len(team)
        start = s_start[season] + (rng.random(n) * s_len[season]).astype("timedelta64[D]")
        parts.append({"team": team, "start": start, "days": np.minimum(1 + rng.geometric(0.2, n), 20),
                          "season": s_kind[season], "who": np.full(n, who)})
    # Sick leave and training at any time of the year.
    n_days = (END.date() - first).days
    counts = rng.poisson(0.5 * n_days / 365, size=n_teams)
    team = np.repeat(np.arange(n_teams), counts)
    n = len(team)
    parts.append({"team": team, "start": np.datetime64(first) + (rng.random(n) * n_days).astype("timedelta64[D]"),
                      "days": 1 + rng.geometric(0.3, n), "season": np.full(n, "other"),
                      "who": np.where(rng.random(n) < 0.7, "member", "leader")})
    p = {k: np.concatenate([x[k] for x in parts]) for k in parts[0]}
    n = len(p["team"])
    team, leader = p["team"], org.leader[p["team"]]
    # absent and substitute: two distinct members, or the leader and a member
    k1 = (rng.random(n) * org.member_count[team]).astype(np.int64)
    k2 = (rng.random(n) * (org.member_count[team] - 1)).astype(np.int64)
    k2 = np.where(k2 >= k1, k2 + 1, k2)
    m1, m2 = org.members[org.member_start[team] + k1], org.members[org.member_start[team] + k2]
    is_leader = p["who"] == "leader"
    absent = np.where(is_leader, leader, m1)
    substitute = m2
    decided = np.where(is_leader, org.deputies[org.team_division[team]], leader)
    form = rng.choice(np.array(["ts", "date", "cn"]), size=n, p=[0.4, 0.5, 0.1])
    reason_pool = {k: np.array(v) for k, v in LEAVE_REASONS.items()}
    reason = np.empty(n, dtype=object)
    for k, pool in reason_pool.items():
        mask = p["season"] == k
        reason[mask] = rng.choice(pool, size=int(mask.sum()))
    normal = {"absent": absent, "substitute": substitute, "decided": decided, "start": p["start"], "days": p["days"],
                  "form": form, "authorized": rng.random(n) < 0.2, "reason": reason, "acting": is_leader,
                  "open_end": np.zeros(n, bool), "planted": np.full(n, "", dtype=object)}
    # The chief's leave: a deputy acts for the chief, authorised (Art. 8.5).
    chief_rows = []
    for i, y in enumerate(range(first.year, END.year + 1)):
        lo, _ = cal.spring[y]
        for j, (start, days, reason_) in enumerate(((lo - dt.timedelta(days=3), 7, "春节休假"),
                                                    (dt.date(y, 8, 5 + int(rng.integers(0, 15))), 5, "年休假"))):
            if first <= start <= END.date():
                chief_rows.append((org.deputies[(2 * i + j) % 3], np.datetime64(start), days, reason_))
    c = len(chief_rows)
    chief = {"absent": np.full(c, org.chief), "substitute": np.array([r[0] for r in chief_rows]),
                 "decided": np.full(c, org.chief), "start": np.array([r[1] for r in chief_rows], dtype="datetime64[D]"),
                 "days": np.array([r[2] for r in chief_rows]), "form": np.full(c, "ts"), "authorized": np.ones(c, bool),
                 "reason": np.array([r[3] for r in chief_rows], dtype=object), "acting": np.ones(c, bool),
                 "open_end": np.zeros(c, bool), "planted": np.full(c, "", dtype=object)}
    planted = _planted_substitutions(rng, org, n)
    allsubs = {k: np.concatenate([normal[k], chief[k], planted[k]]) for k in normal}
    start_s, end_s = _interval(allsubs["start"], allsubs["days"], allsubs["form"])
    df = pl.DataFrame({
        "absent_idx": allsubs["absent"], "substitute_idx": allsubs["substitute"], "decided_idx": allsubs["decided"],
        "start_day": allsubs["start"].astype("datetime64[D]"), "days": allsubs["days"], "form": allsubs["form"],
        "start_at": start_s, "end_at": end_s, "open_end": allsubs["open_end"],
        "authorized": allsubs["authorized"], "reason": allsubs["reason"].astype(str),
        "acting": allsubs["acting"], "planted": allsubs["planted"].astype(str),
    }).with_columns(pl.when(pl.col("open_end")).then(None).otherwise(pl.col("end_at")).alias("end_at"))
    df = df.filter((pl.col("start_day") >= first) & (pl.col("start_at") <= END))
    df = df.sort("start_at", "absent_idx", "substitute_idx", maintain_order=True)
    df = df.with_columns(year=pl.col("start_day").dt.year())
    df = df.with_columns(substitution_id=pl.format("TB{}{}", "year", pl.int_range(1, pl.len() + 1).over("year")
                                                   .cast(pl.String).str.zfill(4)))
    ids = pl.Series(org.ids)
    return df.with_columns(absent_id=ids.gather(df["absent_idx"]), substitute_id=ids.gather(df["substitute_idx"]),
                           decided_by=ids.gather(df["decided_idx"]))


def _judged_days(rng: np.random.Generator, n: int, margin: int = 20) -> np.ndarray:
    lo, hi = np.datetime64(BREACH_FROM), np.datetime64(END.date()) - np.timedelta64(margin, "D")
    return lo + (rng.random(n) * (hi - lo).astype(int)).astype("timedelta64[D]")


def _planted_substitutions(rng: np.random.Generator, org: Org, n_normal: int) -> dict:
    """A few breaches of each S12 rule, after the effective date."""
    k = max(3, round(0.03 * n_normal))
    n_teams = len(org.team_names)
    rows = []  # (rule, absent, substitute, decided, days, form, authorized, open_end, reason)
    for i in range(k):
        t = int(rng.integers(0, n_teams))
        div = org.team_division[t]
        m = org.members[org.member_start[t]: org.member_start[t] + org.member_count[t]]
        a, b = (int(x) for x in rng.choice(m, size=2, replace=False))
        # S12-REVERSE: the team leader steps in for a member (higher for lower).
        rows.append(("S12-REVERSE", a, org.leader[t], org.deputies[div], 3 + i % 4, "date", False, False, "病假"))
        # S12-LEADERSHIP: a deputy substitutes for another deputy (a leadership post); once an
        # unauthorised deputy for the chief.
        d1, d2 = (int(x) for x in rng.choice(org.deputies, size=2, replace=False))
        if i == 0:
            rows.append(("S12-LEADERSHIP", org.chief, d1, org.chief, 2, "ts", False, False, "外出学习培训"))
        else:
            rows.append(("S12-LEADERSHIP", d1, d2, org.chief, 3 + i % 5, "ts", False, False, "年休假"))
        # S12-AUTHORITY: the substitute decides their own substitution, or a team leader decides one
        # across teams (division scope needs the deputy).
        if i % 2 == 0:
            rows.append(("S12-AUTHORITY", a, b, b, 2 + i % 3, "date", False, False, "事假"))
        else:
            t2 = t + 1 if (t + 1 < n_teams and org.team_division[t + 1] == div) else t - 1
            other = int(org.members[org.member_start[t2]])
            rows.append(("S12-AUTHORITY", a, other, org.leader[t], 4, "date", False, False, "外出学习培训"))
        # S12-TEMPORARY: no end, or far longer than 30 days (40-95: at a large scale 40 + 5 * i ran for decades,
        # past the dates the loader accepts).
        rows.append(("S12-TEMPORARY", b, a, org.leader[t], 40 + 5 * (i % 12), "date", False, i % 2 == 0, "产假"))
    n = len(rows)
    col = list(zip(*rows))
    return {"planted": np.array(col[0], dtype=object), "absent": np.array(col[1]), "substitute": np.array(col[2]),
                "decided": np.array(col[3]), "start": _judged_days(rng, n, margin=70), "days": np.array(col[4]),
                "form": np.array(col[5]), "authorized": np.array(col[6]), "open_end": np.array(col[7]),
                "reason": np.array(col[8], dtype=object), "acting": np.zeros(n, bool)}


# --------------------------------------------------------------------------------------------------
# Approval steps
# --------------------------------------------------------------------------------------------------

# Roles resolve to a person: the matter team's leader (TL), its division's deputy (DEP), the chief, the
# VP, the president (who sits at COMMITTEE level for the judicial committee). TLX is the leader of a
# neighbouring team; CHIEF! is the chief even when a deputy is acting (both only in planted breaches).
ROLE_LEVEL = {"TL": "TEAM_LEAD", "DEP": "DEPUTY", "CHIEF": "CHIEF", "VP": "VP", "COM": "COMMITTEE",
              "TLX": "TEAM_LEAD", "CHIEF!": "CHIEF"}
ROLES = tuple(ROLE_LEVEL)
DECISIONS = {"A": "APPROVE", "R": "REJECT", "T": "RETURN"}

CHIEF_ROUTE = {"ok": (0.85, "TL:A DEP:A CHIEF:A"),
               "chief_returns": (0.05, "TL:A DEP:A CHIEF:T DEP:A CHIEF:A"),
               "deputy_returns": (0.04, "TL:A DEP:T TL:A DEP:A CHIEF:A"),
               "chief_rejects": (0.03, "TL:A DEP:A CHIEF:R"),
               "deputy_rejects": (0.03, "TL:A DEP:R")}
DIRECT_CHIEF = {"ok": (0.60, "TL:A CHIEF:A"), "via_deputy": (0.30, "TL:A DEP:A CHIEF:A"),
                "chief_returns": (0.06, "TL:A CHIEF:T TL:A CHIEF:A"), "chief_rejects": (0.04, "TL:A CHIEF:R")}
ROUTES: dict[str, dict[str, tuple[float, str]]] = {
    "DOCUMENT": {"ok": (0.80, "TL:A DEP:A"), "deputy_only": (0.08, "DEP:A"),
                 "deputy_returns": (0.07, "TL:A DEP:T TL:A DEP:A"), "deputy_rejects": (0.03, "TL:A DEP:R"),
                 "leader_rejects": (0.02, "TL:R")},
    "COMMAND": {"ok": (0.90, "DEP:A"), "rejects": (0.05, "DEP:R"), "to_chief": (0.05, "DEP:A CHIEF:A")},
    "TEAM": {"ok": (0.93, "TL:A"), "rejects": (0.04, "TL:R"), "to_deputy": (0.03, "TL:A DEP:A")},
    "PAYOUT": CHIEF_ROUTE, "DISPOSAL": CHIEF_ROUTE, "PLAN": CHIEF_ROUTE, "RELIEF": CHIEF_ROUTE,
    "FORCE": DIRECT_CHIEF, "OTHER_CHIEF": DIRECT_CHIEF,
    "MAJOR": {"ok": (0.80, "TL:A DEP:A CHIEF:A VP:A"), "committee": (0.10, "TL:A DEP:A CHIEF:A VP:A COM:A"),
              "vp_rejects": (0.10, "TL:A DEP:A CHIEF:A VP:R")},
    "EXTERNAL": {"ok": (0.90, "DEP:A CHIEF:A VP:A"), "vp_rejects": (0.10, "DEP:A CHIEF:A VP:R")},
}
MATTER_MIX = {"DOCUMENT": 0.38, "TEAM": 0.22, "PAYOUT": 0.12, "DISPOSAL": 0.08, "COMMAND": 0.06,
              "PLAN": 0.025, "RELIEF": 0.02, "FORCE": 0.03, "OTHER_CHIEF": 0.03, "MAJOR": 0.0125,
              "EXTERNAL": 0.0125}
WITH_CASE = ("DOCUMENT", "PAYOUT", "DISPOSAL", "PLAN", "RELIEF", "MAJOR", "OTHER_CHIEF")

# Planted breaches: rule -> (matter types, route, share of the judged matters of those types, minimum).
APPROVAL_BREACHES: dict[str, tuple[tuple[str, ...], str, float, int]] = {
    "A7-CHIEF": (("PAYOUT", "DISPOSAL", "FORCE", "OTHER_CHIEF"), "TL:A DEP:A", 0.03, 4),
    "A9-PROCESS": (("PAYOUT", "DISPOSAL", "PLAN", "RELIEF"), "TL:A CHIEF!:A", 0.03, 4),
    "A9-DEPUTY": (("DOCUMENT", "COMMAND"), "TL:A", 0.02, 4),
    "A10-TEAM": (("TEAM",), "TLX:A", 0.02, 4),
    "A11-MAJOR": (("MAJOR",), "TL:A DEP:A VP:A", 0.08, 3),
    "A13-EXTERNAL": (("EXTERNAL",), "DEP:A CHIEF:A", 0.08, 3),
    "A11-LASTWORD": (("DOCUMENT", "DISPOSAL"), "TL:A DEP:A CHIEF!:A VP:T CHIEF!:A", 0.01, 4),
}

# Log-normal latency per level: median in working days, sigma of the log.
LATENCY = {"TEAM_LEAD": (0.22, 0.9), "DEPUTY": (0.55, 0.8), "CHIEF": (0.9, 0.8), "VP": (1.4, 0.8),
           "PRESIDENT": (1.4, 0.8), "COMMITTEE": (7.0, 0.5)}
MATTERS_PER_TEAM_DAY = 1.9


def _templates() -> tuple[pl.DataFrame, dict[tuple[str, str], int]]:
    """All routing templates as rows (variant, step_no, role, level, decision) and (type|rule, name) -> id."""
    rows, ids = [], {}
    entries = [(t, name, route) for t, routes in ROUTES.items() for name, (_, route) in routes.items()]
    entries += [(rule, "breach", route) for rule, (_, route, _, _) in APPROVAL_BREACHES.items()]
    for v, (owner, name, route) in enumerate(entries):
        ids[(owner, name)] = v
        for step_no, token in enumerate(route.split(), start=1):
            role, dec = token.split(":")
            rows.append((v, step_no, ROLES.index(role), ROLE_LEVEL[role], DECISIONS[dec]))
    return pl.DataFrame(rows, schema=["variant", "step_no", "role", "level", "decision"], orient="row"), ids


def build_approvals(rng: np.random.Generator, org: Org, cal: Calendar, cases: pl.DataFrame,
                    subs: pl.DataFrame, first: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Approval steps (codes, timestamps, staff ids) and the matters with their planted rule (if any)."""
    n_teams = len(org.team_names)
    d0 = int(cal.index(np.datetime64(first)))
    d1 = int(np.searchsorted(cal.days, np.datetime64(END.date()), "right"))
    counts = rng.poisson(MATTERS_PER_TEAM_DAY, size=(n_teams, d1 - d0)).ravel()
    team = np.repeat(np.repeat(np.arange(n_teams), d1 - d0), counts)
    day = np.repeat(np.tile(np.arange(d0, d1), n_teams), counts)
    n = len(team)
    w_sub = day * DAY_MIN + rng.integers(0, DAY_MIN, n)
    order = np.argsort(w_sub, kind="stable")
    team, day, w_sub = team[order], day[order], w_sub[order]
    types = np.array(list(MATTER_MIX))
    mtype = rng.choice(types, size=n, p=np.array(list(MATTER_MIX.values())) / sum(MATTER_MIX.values()))
    templates, ids = _templates()
    variant = np.zeros(n, dtype=np.int64)
    for t, routes in ROUTES.items():
        mask = mtype == t
        names = list(routes)
        probs = np.array([routes[x][0] for x in names])
        variant[mask] = np.array([ids[(t, x)] for x in names])[rng.choice(len(names), int(mask.sum()), p=probs / probs.sum())]
    # Planted breaches, only among matters the rules judge and that close before the end.
    sub_day = cal.days[day]
    judged = (sub_day >= np.datetime64(BREACH_FROM)) & (sub_day <= np.datetime64(END.date()) - np.timedelta64(45, "D"))
    planted = np.full(n, "", dtype=object)
    for rule, (mtypes, _, share, minimum) in APPROVAL_BREACHES.items():
        pool = np.flatnonzero(judged & np.isin(mtype, mtypes) & (planted == ""))
        k = min(len(pool), max(minimum, round(share * len(pool))))
        pick = rng.choice(pool, size=k, replace=False)
        planted[pick] = rule
        variant[pick] = ids[(rule, "breach")]
    # Cases: one of the team's cases filed in the 300 days before submission.
    key = cases["team_idx"].to_numpy() * 1_000_000 + (cases["filed_on"].to_numpy().astype("datetime64[D]").astype(np.int64))
    mkey = team * 1_000_000 + sub_day.astype("datetime64[D]").astype(np.int64)
    lo = np.searchsorted(key, mkey - 300, "left")
    hi = np.searchsorted(key, mkey, "right")
    pick = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    has_case = np.isin(mtype, WITH_CASE) & (hi > lo)
    case_idx = np.where(has_case, np.minimum(pick, len(key) - 1), -1)
    case_ids = cases["case_id"].to_numpy()
    # Matter ids: SP + year + serial within the year, in submission order.
    year = sub_day.astype("datetime64[Y]").astype(int) + 1970
    serial = np.arange(n) - np.searchsorted(year, year, "left") + 1
    matters = pl.DataFrame({
        "m": np.arange(n), "team_idx": team, "day": day, "w_sub": w_sub, "matter_type": mtype, "variant": variant,
        "planted": planted.astype(str), "case_idx": case_idx,
        "matter_id": pl.Series(year).cast(pl.String) + pl.Series(serial).cast(pl.String).str.zfill(6),
    }).with_columns(matter_id="SP" + pl.col("matter_id"))
    steps = matters.select("m", "variant").join(templates, on="variant", how="inner").sort("m", "step_no")
    m = steps["m"].to_numpy()
    level = steps["level"].to_numpy()
    # Latencies in working minutes, slower around Spring Festival and National Day.
    med = np.zeros(len(m))
    sig = np.zeros(len(m))
    for lv, (md, sg) in LATENCY.items():
        med[level == lv], sig[level == lv] = md * DAY_MIN, sg
    lat = np.maximum(2, np.exp(rng.normal(np.log(med), sig)) * cal.slow[day[m]]).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
    sizes = np.diff(np.r_[starts, len(m)])

    def decided_w(lat):
        cs = np.cumsum(lat)
        return w_sub[m] + cs - np.repeat(cs[starts] - lat[starts], sizes)

    w_end = int(np.searchsorted(cal.days, np.datetime64(END.date()), "right")) * DAY_MIN
    w_dec = decided_w(lat)
    w_rec = w_dec - lat
    # A tail of stuck steps near the end: some will be pending long enough for yellow and red.
    stuck = (w_rec >= w_end - 15 * DAY_MIN) & (w_rec < w_end) & (rng.random(len(m)) < 0.06)
    lat = lat + np.where(stuck, rng.integers(1, 10, len(m)) * DAY_MIN, 0)
    w_dec = decided_w(lat)
    decided = cal.to_datetime(w_dec)
    # Some decisions after hours (evening work), then keep each matter's steps in time order.
    tod = (decided - decided.astype("datetime64[D]")).astype(np.int64)
    late = (tod > 990) & (rng.random(len(m)) < 0.05)
    decided = decided + np.where(late, rng.integers(20, 200, len(m)), 0).astype("timedelta64[m]")
    # Each matter's steps in time order (a running maximum per matter), each step received when the
    # previous one was decided; then cut at the end: later steps unseen, undecided ones pending.
    gid = np.repeat(np.arange(len(starts), dtype=np.int64), sizes)
    big = np.int64(1) << 40
    dec = decided.astype("datetime64[m]").astype(np.int64)
    dec = np.maximum.accumulate(dec + gid * big) - gid * big
    sub_min = cal.to_datetime(w_sub).astype(np.int64)
    rec = np.r_[np.int64(0), dec[:-1]]
    rec[starts] = sub_min[m[starts]]
    end_min = np.datetime64(END, "m").astype(np.int64)
    keep = rec <= end_min
    pending = dec > end_min

    def ts(minutes: np.ndarray) -> pl.Series:
        return pl.Series(minutes.astype("datetime64[m]").astype("datetime64[us]"))

    # People: the role's holder, then acting substitutes for absent team leaders and the chief.
    team_s = team[m]
    role = steps["role"].to_numpy()
    neighbour = np.where(team_s + 1 < n_teams, team_s + 1, team_s - 1)
    holder = np.select(
        [role == ROLES.index("TL"), role == ROLES.index("DEP"), role == ROLES.index("TLX"), role == ROLES.index("VP"),
         role == ROLES.index("COM")],
        [org.leader[team_s], org.deputies[org.team_division[team_s]], org.leader[neighbour],
         np.full(len(role), org.vp), np.full(len(role), org.president)],
        default=org.chief)
    steps = pl.DataFrame({
        "m": m, "step_no": steps["step_no"], "role": role, "level": steps["level"],
        "decision": steps["decision"], "received_at": ts(rec), "decided_at": ts(dec), "pending": pending,
        "approver_idx": holder,
    }).filter(pl.Series(keep)).with_columns(
        decided_at=pl.when(pl.col("pending")).then(None).otherwise(pl.col("decided_at")),
        decision=pl.when(pl.col("pending")).then(None).otherwise(pl.col("decision")),
        row=pl.int_range(pl.len()),
    )
    acting = subs.filter("acting").select("absent_idx", "substitute_idx", "start_at", "end_at")
    # The latest acting substitution of the role holder that started before the step, if it covers it.
    hits = (steps.filter(pl.col("role").is_in([ROLES.index("TL"), ROLES.index("CHIEF")]))
            .select("row", "approver_idx", t=pl.coalesce("decided_at", "received_at")).sort("t")
            .join_asof(acting.sort("start_at"), left_on="t", right_on="start_at", by_left="approver_idx",
                       by_right="absent_idx", strategy="backward", check_sortedness=False)
            .filter(pl.col("t") <= pl.col("end_at")).select("row", "substitute_idx"))
    steps = steps.join(hits, on="row", how="left").sort("row").with_columns(
        acting_idx=pl.when(pl.col("substitute_idx").is_not_null()).then(pl.col("approver_idx")),
        approver_idx=pl.coalesce("substitute_idx", "approver_idx"))
    # Matter columns, the same on every step of a matter.
    ids_s = pl.Series(org.ids)
    team_cell = pl.Series(org.team_names).gather(team)
    no_team_cell = (case_idx >= 0) & (rng.random(n) < 0.12)
    matters = matters.with_columns(
        submitted_by=ids_s.gather(org.random_member(rng, team)),
        case_id=pl.when(pl.Series(case_idx >= 0)).then(
            pl.Series(case_ids, dtype=pl.String).gather(np.maximum(case_idx, 0))),
        team=pl.when(pl.Series(no_team_cell)).then(None).otherwise(team_cell),
        submitted_at=ts(sub_min),
    )
    sm = steps["m"]
    cols = ["matter_id", "case_id", "team", "matter_type", "submitted_at", "submitted_by", "step_no", "level",
            "approver_id", "received_at", "decided_at", "decision", "acting_for"]
    steps = steps.with_columns(
        *(matters[c].gather(sm) for c in ("matter_id", "case_id", "team", "matter_type", "submitted_at",
                                          "submitted_by", "planted", "team_idx")),
        approver_id=ids_s.gather(steps["approver_idx"]),
        acting_for=pl.when(pl.col("acting_idx").is_not_null()).then(ids_s.gather(steps["acting_idx"].fill_null(0))),
    ).select(*cols, "planted", "team_idx")
    return pl.concat([steps, _last_night(org, cols)], how="vertical_relaxed"), matters


def _last_night(org: Org, cols: list[str]) -> pl.DataFrame:
    """The final record: a night enforcement operation's command matter decided at the end minute."""
    at = END - dt.timedelta(minutes=75)
    return pl.DataFrame([{
        "matter_id": f"SP{END.year}999999", "case_id": None, "team": org.team_names[0], "matter_type": "COMMAND",
        "submitted_at": at, "submitted_by": org.ids[org.members[0]], "step_no": 1, "level": "DEPUTY",
        "approver_id": org.ids[org.deputies[0]], "received_at": at, "decided_at": END, "decision": "APPROVE",
        "acting_for": None, "planted": "", "team_idx": 0,
    }], schema_overrides={"submitted_at": pl.Datetime("us"), "received_at": pl.Datetime("us"),
                          "decided_at": pl.Datetime("us"), "step_no": pl.Int64, "team_idx": pl.Int64,
                          "case_id": pl.String, "acting_for": pl.String})


# --------------------------------------------------------------------------------------------------
# Meetings and their items
# --------------------------------------------------------------------------------------------------

CASE_TOPICS = ("财产处置方案", "执行款发放争议", "终结本次执行程序审查", "拘留、罚款措施", "执行和解履行情况",
               "执行异议审查意见", "降价拍卖方案")
BUREAU_TOPICS = ("执行指挥中心警力调配方案", "季度执行质效分析", "执行团队人员调整", "执行救助资金使用",
                 "涉党政机关执行案件化解", "集中执行行动部署", "执行信访案件化解", "执行案款清理")
LEADS_TOPICS = ("团队间案件分配调整", "月度结案情况通报", "执行规范化问题研讨", "疑难案件讨论", "终本案件核查")


def _first_per(days: np.ndarray, groups: np.ndarray) -> np.ndarray:
    return days[np.unique(groups, return_index=True)[1]]


def _votes(rng, kind: str, n: int, vp_in: bool, chief_in: bool) -> tuple[int, int, int, str, str]:
    """Votes for/against/abstain and the VP's and chief's positions for an item of this kind."""
    vp, chief = "FOR", "FOR"
    if kind == "consensus":
        against = int(rng.random() < 0.3)
        abstain = int(rng.random() < 0.2) if n >= 5 else 0
        votes = (n - against - abstain, against, abstain)
    elif kind == "against":
        in_favour = int(rng.random() < 0.3)
        votes = (in_favour, n - in_favour, 0)
        vp, chief = "AGAINST", "AGAINST"
    elif kind == "dissent":
        against = 2 if n >= 5 else 1
        votes = (n - against, against, 0)
        if (rng.random() < 0.5 and vp_in) or not chief_in:
            vp = "AGAINST"
        else:
            chief = "AGAINST"
    else:  # tie: no majority
        half = n // 2 if n % 2 == 0 else (n - 1) // 2
        votes = (half, half, n - 2 * half)
        vp = "FOR" if rng.random() < 0.5 else "AGAINST"
        chief = "AGAINST" if vp == "FOR" else "FOR"
    return (*votes, vp if vp_in else "ABSENT", chief if chief_in else "ABSENT")


def _majority(f: int, a: int, ab: int) -> str | None:
    cast = f + a + ab
    return "FOR" if 2 * f > cast else "AGAINST" if 2 * a > cast else None


def _dissents(position: str, majority: str) -> bool:
    return position in ("FOR", "AGAINST") and position != majority


def build_meetings(rng: np.random.Generator, org: Org, cal: Calendar, cases: pl.DataFrame,
                   subs: pl.DataFrame, first: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    days = cal.days[(cal.days >= np.datetime64(first)) & (cal.days <= np.datetime64(END.date()))]
    n_days = days.astype(np.int64)
    weekday, week = (n_days + 3) % 7, (n_days + 3) // 7
    bureau = _first_per(days[weekday >= 1], week[weekday >= 1])  # Tuesday, or the next working day
    bureau = bureau[rng.random(len(bureau)) > 0.04]
    months = days.astype("datetime64[M]")
    dom = (days - months.astype("datetime64[D]")).astype(int) + 1
    leads = _first_per(days[dom >= 8], months[dom >= 8])
    away = subs.filter(pl.col("acting") & (pl.col("absent_idx") == org.chief)).select(
        "start_day", last=pl.col("start_day") + pl.duration(days=pl.col("days") - 1), sub="substitute_idx")
    chief_away = [(np.datetime64(a, "D"), np.datetime64(b, "D"), int(s))
                  for a, b, s in zip(away["start_day"].to_list(), away["last"].to_list(), away["sub"].to_list())]

    def acting_chief(d):
        for a, b, s in chief_away:
            if a <= d <= b:
                return s
        return None

    def judged(d):
        return d >= np.datetime64(BREACH_FROM) and d <= np.datetime64(END.date()) - np.timedelta64(10, "D")

    ok_bureau = np.array([i for i, d in enumerate(bureau) if judged(d) and acting_chief(d) is None])
    picked = list(rng.choice(ok_bureau, size=4, replace=False))
    chair_breach, no_vp = set(picked[:2]), set(picked[2:])
    ok_leads = np.array([i for i, d in enumerate(leads) if judged(d) and acting_chief(d) is None])
    picked = list(rng.choice(ok_leads, size=2, replace=False))
    leads_chair_breach, leads_thin = {picked[0]}, {picked[1]}

    filed = np.sort(cases["filed_on"].to_numpy().astype("datetime64[D]"))
    case_by_filed = cases.sort("filed_on", maintain_order=True)["case_id"].to_numpy()
    ids = org.ids
    meetings, items = [], []
    schedule = sorted([(d, "BUREAU", i) for i, d in enumerate(bureau)] + [(d, "TEAM_LEADS", i) for i, d in enumerate(leads)])
    serial: dict[tuple[str, int], int] = {}
    for d, mtype, i in schedule:
        day = d.astype(dt.date)
        acting = acting_chief(d)
        chief_in = acting is None
        chair, authorized, planted = org.chief, False, ""
        if acting is not None:
            chair, authorized = acting, True
        deputies_in = [int(x) for x in org.deputies if x == chair or rng.random() > 0.06]
        if mtype == "BUREAU":
            if i in chair_breach:
                chair, planted = int(org.deputies[int(rng.integers(0, 3))]), "M4-CHAIR"
                deputies_in = sorted(set(deputies_in) | {chair})
            vp_in = i not in no_vp
            if not vp_in:
                planted = "M4-ATTEND"
            n_items = int(rng.integers(2, 6))
            item_teams = rng.integers(0, len(org.team_names), n_items)
            guests = sorted({int(org.leader[t]) for t in item_teams})
            people = ([org.vp] if vp_in else []) + ([org.chief] if chief_in else []) + deputies_in
            if rng.random() < 0.05:
                people.append(org.president)
            attendees = people + guests
            n_voters = (vp_in + chief_in + len(deputies_in))
            prefix = "JW"
        else:
            if i in leads_chair_breach:
                chair, planted = int(org.deputies[int(rng.integers(0, 3))]), "M4-CHAIR"
                deputies_in = sorted(set(deputies_in) | {chair})
            share = 0.3 if i in leads_thin else 0.92
            if i in leads_thin:
                planted = "M4-ATTEND"
            present = [int(x) for x in org.leader if rng.random() < share]
            vp_in = False
            attendees = ([org.chief] if chief_in else []) + deputies_in + present
            n_voters = len(attendees)
            n_items = int(rng.integers(2, 5))
            prefix = "LX"
        key = (prefix, day.year)
        serial[key] = serial.get(key, 0) + 1
        meeting_id = f"{prefix}{day.year}-{serial[key]:03d}"
        meetings.append({"meeting_id": meeting_id, "meeting_type": mtype, "held_on": day, "chair_id": ids[chair],
                             "chair_authorized": authorized, "attendee_ids": [ids[p] for p in dict.fromkeys(attendees)],
                             "planted": planted})
        hi = int(np.searchsorted(filed, d, "right"))
        for j in range(n_items):
            if mtype == "BUREAU":
                kind = rng.choice(["consensus", "against", "dissent", "tie"], p=[0.72, 0.08, 0.12, 0.08])
                major = bool(rng.random() < (0.5 if kind == "dissent" else 0.15))
            else:
                kind = rng.choice(["consensus", "dissent", "tie"], p=[0.8, 0.12, 0.08])
                major = bool(rng.random() < 0.1)
            f, a, ab, vp, chief = _votes(rng, str(kind), max(n_voters, 1), vp_in, chief_in)
            maj = _majority(f, a, ab)
            decided_on = None
            if mtype == "TEAM_LEADS":
                outcome = "ADVISORY"
            elif maj is None:
                outcome = "VP_DECIDED"
            elif major and (_dissents(vp, maj) or _dissents(chief, maj)) and rng.random() < 0.8:
                outcome = "ESCALATED_LEADER" if rng.random() < 0.7 else "ESCALATED_COMMITTEE"
                decided_on = day + dt.timedelta(days=int(rng.integers(5, 30)))
            else:
                outcome = "MAJORITY"
            with_case = hi > 0 and rng.random() < (0.45 if mtype == "BUREAU" else 0.2)
            case_id = str(case_by_filed[int(rng.integers(max(0, hi - 400), hi))]) if with_case else None
            if case_id:
                topic = f"{case_id}{rng.choice(CASE_TOPICS)}"
            else:
                topic = str(rng.choice(BUREAU_TOPICS if mtype == "BUREAU" else LEADS_TOPICS))
            items.append({"item_id": f"{meeting_id}-{j + 1:02d}", "meeting_id": meeting_id, "case_id": case_id,
                              "topic": topic, "is_major": major, "votes_for": f, "votes_against": a, "votes_abstain": ab,
                              "vp_position": vp, "chief_position": chief, "outcome": outcome, "decided_on": decided_on,
                              "minuted": True, "planted": "", "held_on": day, "meeting_type": mtype, "judged": judged(d)})
    _plant_item_breaches(rng, items)
    for it in items:
        if it["decided_on"] is not None and it["decided_on"] > END.date():
            it["decided_on"] = None
    m_df = pl.DataFrame(meetings, schema_overrides={"attendee_ids": pl.List(pl.String)})
    i_df = pl.DataFrame(items, schema_overrides={"case_id": pl.String, "decided_on": pl.Date})
    return m_df, i_df.drop("held_on", "meeting_type", "judged")


def _plant_item_breaches(rng: np.random.Generator, items: list[dict]) -> None:
    def pool(pred):
        return [i for i, it in enumerate(items) if it["judged"] and not it["planted"] and pred(it)]

    def pick(pred, k):
        p = pool(pred)
        return [items[i] for i in rng.choice(p, size=min(k, len(p)), replace=False)] if p else []

    plain = lambda it: it["meeting_type"] == "BUREAU" and it["outcome"] == "MAJORITY" and it["vp_position"] == "FOR" \
        and it["chief_position"] == "FOR"
    for it in pick(plain, 2):  # M5-TIEBREAK: a tied vote recorded as a majority resolution
        n = it["votes_for"] + it["votes_against"] + it["votes_abstain"]
        half = n // 2
        it.update(votes_for=half, votes_against=half, votes_abstain=n - 2 * half, planted="M5-TIEBREAK")
    for it in pick(plain, 1):  # M5-TIEBREAK: a clear majority overridden by the VP
        it.update(outcome="VP_DECIDED", planted="M5-TIEBREAK")
    for k, it in enumerate(pick(plain, 3)):  # M5-ESCALATE: escalated with no dissent (and not always major)
        it.update(outcome="ESCALATED_LEADER" if k < 2 else "ESCALATED_COMMITTEE", is_major=k == 2,
                  decided_on=it["held_on"] + dt.timedelta(days=9 + 4 * k), planted="M5-ESCALATE")
    for it in pick(lambda it: it["meeting_type"] == "TEAM_LEADS", 3):  # M5-ADVISORY: a binding vote
        it.update(outcome="MAJORITY", planted="M5-ADVISORY")
    judged = pool(lambda it: True)
    for it in pick(lambda it: True, max(3, round(0.02 * len(judged)))):  # M5-RECORD
        it.update(minuted=False, planted="M5-RECORD")
    for i in np.flatnonzero(rng.random(len(items)) < 0.03):  # unminuted before the effective date too
        if not items[i]["judged"] and items[i]["held_on"] < EFFECTIVE:
            items[i]["minuted"] = False


# --------------------------------------------------------------------------------------------------
# Breaches of the later rules (A9-DIVISION, S12-UNRECORDED, M4-SECRETARY, M5-VPABSENT, M5-UNDECIDED)
# --------------------------------------------------------------------------------------------------
# Planted after everything else is built, with a random generator of their own, so the records the
# earlier rules judge are exactly those an earlier demo had: a planted record only changes its own cells.


def _pick(rng: np.random.Generator, pool: list, k: int) -> list:
    k = min(k, len(pool))
    return [pool[i] for i in sorted(rng.choice(len(pool), size=k, replace=False))] if k > 0 else []


def _plant_approvals(rng: np.random.Generator, org: Org, approvals: pl.DataFrame, subs: pl.DataFrame) -> pl.DataFrame:
    """A9-DIVISION: a document's deputy step taken by another division's deputy. S12-UNRECORDED: a
    team member takes the team leader's step "acting for" the leader, with no substitution on record.
    Both on plain documents (team leader approves, then the division's deputy), closed and judged."""
    steps = approvals.group_by("matter_id", maintain_order=True).agg(
        pl.first("matter_type", "planted", "team_idx"), pl.col("level"), pl.col("decision"), pl.col("acting_for"),
        pl.col("decided_at"), pl.col("approver_id"),
    )
    plain = steps.filter(
        (pl.col("matter_type") == "DOCUMENT") & (pl.col("planted") == "")
        & (pl.col("level") == pl.lit(["TEAM_LEAD", "DEPUTY"])) & (pl.col("decision") == pl.lit(["APPROVE", "APPROVE"]))
        & pl.col("acting_for").list.drop_nulls().list.len().eq(0)
        & (pl.col("decided_at").list.min() >= dt.datetime.combine(BREACH_FROM, dt.time()))
        & (pl.col("decided_at").list.max() <= END - dt.timedelta(days=10))
    )
    ids = plain["matter_id"].to_list()
    k = max(4, round(0.004 * len(ids)))
    chosen = _pick(rng, ids, 2 * k)
    division, unrecorded = chosen[:k], chosen[k:]
    team = dict(zip(plain["matter_id"], plain["team_idx"], strict=True))
    tl_at = dict(zip(plain["matter_id"], plain["decided_at"].list.first(), strict=True))
    acting = subs.select("absent_id", "substitute_id", "start_at", "end_at")
    changes = []  # (matter_id, step_no, approver_id, acting_for, planted)
    for mid in division:
        other = org.deputies[(org.team_division[team[mid]] + 1 + int(rng.integers(0, 2))) % len(org.deputies)]
        changes.append((mid, 2, str(org.ids[other]), None, "A9-DIVISION"))
    for mid in unrecorded:
        t = team[mid]
        members = org.members[org.member_start[t]: org.member_start[t] + org.member_count[t]]
        leader, member = str(org.ids[org.leader[t]]), str(org.ids[int(rng.choice(members))])
        covering = acting.filter((pl.col("absent_id") == leader) & (pl.col("substitute_id") == member)
                                 & (pl.col("start_at") <= tl_at[mid]) & (pl.col("end_at") >= tl_at[mid]))
        if covering.is_empty():  # a substitution on record would make the step a covered one
            changes.append((mid, 1, member, leader, "S12-UNRECORDED"))
    planted = {mid: rule for mid, _, _, _, rule in changes}
    change = pl.DataFrame(changes, schema={"matter_id": pl.String, "step_no": pl.Int64, "new_approver": pl.String,
                                           "new_acting": pl.String, "rule": pl.String}, orient="row")
    return (
        approvals.join(change, on=["matter_id", "step_no"], how="left")
        .with_columns(
            approver_id=pl.coalesce("new_approver", "approver_id"),
            acting_for=pl.when(pl.col("new_approver").is_not_null()).then("new_acting").otherwise("acting_for"),
            planted=pl.col("matter_id").replace_strict(planted, default=pl.col("planted"), return_dtype=pl.String),
        )
        .drop("new_approver", "new_acting", "rule")
    )


def _plant_meetings(rng: np.random.Generator, org: Org, meetings: pl.DataFrame,
                    items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """M4-SECRETARY: the party-branch secretary (a deputy) misses some bureau meetings; a miss before the
    effective date, or in a meeting planted for another rule, is undone. M5-VPABSENT: a tied item of a
    meeting without the VP recorded as decided by the VP. M5-UNDECIDED: an escalation never decided."""
    secretary = str(org.staff.filter(pl.col("party_secretary"))["staff_id"][0])
    mrows = meetings.to_dicts()
    for m in mrows:
        if m["meeting_type"] != "BUREAU" or secretary in m["attendee_ids"]:
            continue
        if m["held_on"] >= EFFECTIVE and not m["planted"]:
            m["planted"] = "M4-SECRETARY"
        else:
            m["attendee_ids"] = [*m["attendee_ids"], secretary]
    missed = sum(m["planted"] == "M4-SECRETARY" for m in mrows)
    present = [m for m in mrows if m["meeting_type"] == "BUREAU" and not m["planted"] and m["chair_id"] != secretary
               and BREACH_FROM <= m["held_on"] <= END.date() - dt.timedelta(days=10)]
    for m in _pick(rng, present, 3 - missed):
        m.update(attendee_ids=[a for a in m["attendee_ids"] if a != secretary], planted="M4-SECRETARY")

    held = {m["meeting_id"]: (m["held_on"], m["meeting_type"], m["planted"]) for m in mrows}
    irows = items.to_dicts()
    for it in irows:  # a tie in a meeting without the VP, "decided by the VP": this rule's finding
        if it["outcome"] == "VP_DECIDED" and it["vp_position"] == "ABSENT" and held[it["meeting_id"]][0] >= EFFECTIVE:
            it.update(minuted=True, planted="M5-VPABSENT")
    no_vp = [it for it in irows if not it["planted"] and it["vp_position"] == "ABSENT"
             and held[it["meeting_id"]][1] == "BUREAU" and held[it["meeting_id"]][0] >= BREACH_FROM]
    for it in _pick(rng, no_vp, 3 - sum(it["planted"] == "M5-VPABSENT" for it in irows)):
        n = it["votes_for"] + it["votes_against"] + it["votes_abstain"]
        it.update(votes_for=n // 2, votes_against=n // 2, votes_abstain=n - 2 * (n // 2), outcome="VP_DECIDED",
                  decided_on=None, planted="M5-VPABSENT")
    escalated = [it for it in irows if not it["planted"] and it["outcome"] in ("ESCALATED_LEADER", "ESCALATED_COMMITTEE")
                 and it["decided_on"] is not None
                 and BREACH_FROM <= held[it["meeting_id"]][0] <= END.date() - dt.timedelta(days=45)]
    for it in _pick(rng, escalated, 3):
        it.update(decided_on=None, planted="M5-UNDECIDED")
    return (pl.DataFrame(mrows, schema=meetings.schema), pl.DataFrame(irows, schema=items.schema))


# Breaches of issue 27's rules (A7-PLAN, M4-DEPUTIES, M4-REGULAR), planted last from a stream of their own.
PLAN_BREACHES = 4  # major cases without any PLAN matter
DEPUTIES_BREACHES = 3  # team leaders' meetings without a deputy
REGULAR_BREACHES = (("TEAM_LEADS", 1), ("BUREAU", 1))  # months without a meeting of the type
TWO_LEVELS = 8  # team matters whose deputy also took the team leader's step (a notice, not a finding)


def _plant_issue27(rng: np.random.Generator, org: Org, approvals: pl.DataFrame, cases: pl.DataFrame,
                   meetings: pl.DataFrame, items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame,
                                                                         pl.DataFrame, list[str]]:
    """A7-PLAN: a case is major (`is_major`) when it has a PLAN matter the chief approved himself, or when it is
    planted: a few cases filed in the judged window with no PLAN matter at all. M4-DEPUTIES: a few judged team
    leaders' meetings chaired by the chief lose their deputies. M4-REGULAR: every meeting of a type is taken out
    of a few judged months (meetings with nothing planted in them or their items). And a few team matters with
    one person at two levels. Returns the approvals, cases, meetings, items and the planted months' record ids
    (`YYYY-MM:TYPE`)."""
    chief = str(org.ids[org.chief])
    plans = approvals.filter(pl.col("matter_type") == "PLAN")
    approved = plans.filter((pl.col("decision") == "APPROVE") & (pl.col("approver_id") == chief)
                            & (pl.col("level") == "CHIEF"))["case_id"].drop_nulls().unique()
    with_plan = plans["case_id"].drop_nulls().unique()
    window = (pl.col("filed_on") >= BREACH_FROM) & (pl.col("filed_on") <= END.date() - dt.timedelta(days=60))
    pool = cases.filter(window & ~pl.col("case_id").is_in(with_plan.implode()))["case_id"].sort().to_list()
    planted_cases = set(_pick(rng, pool, PLAN_BREACHES))
    cases = cases.with_columns(
        is_major=pl.col("case_id").is_in(approved.implode()) | pl.col("case_id").is_in(list(planted_cases)),
        planted=pl.when(pl.col("case_id").is_in(list(planted_cases))).then(pl.lit("A7-PLAN")).otherwise(pl.lit("")),
    )
    busy = set(items.filter(pl.col("planted") != "")["meeting_id"].to_list())
    judged = (pl.col("held_on") >= BREACH_FROM) & (pl.col("held_on") <= END.date() - dt.timedelta(days=70))
    free = meetings.filter(judged & (pl.col("planted") == "") & ~pl.col("meeting_id").is_in(list(busy)))
    deputies = set(org.ids[org.deputies].tolist())
    leads = free.filter((pl.col("meeting_type") == "TEAM_LEADS") & (pl.col("chair_id") == chief))
    no_deputies = set(_pick(rng, sorted(leads["meeting_id"].to_list()), DEPUTIES_BREACHES))
    month = pl.col("held_on").dt.truncate("1mo")
    all_in = meetings.with_columns(m=month).group_by("m", "meeting_type").agg(n=pl.len())
    free_in = free.filter(~pl.col("meeting_id").is_in(list(no_deputies))).with_columns(m=month) \
        .group_by("m", "meeting_type").agg(n=pl.len())
    whole = all_in.join(free_in, on=["m", "meeting_type", "n"], how="semi")  # months whose meetings are all free
    gone_months: list[str] = []
    for mtype, k in REGULAR_BREACHES:
        months = sorted(whole.filter(pl.col("meeting_type") == mtype)["m"].to_list())
        gone_months += [f"{m:%Y-%m}:{mtype}" for m in _pick(rng, months, k)]
    gone = meetings.filter(pl.format("{}:{}", month.dt.strftime("%Y-%m"), pl.col("meeting_type"))
                           .is_in(gone_months))["meeting_id"]
    meetings = meetings.filter(~pl.col("meeting_id").is_in(gone.implode())).with_columns(
        attendee_ids=pl.when(pl.col("meeting_id").is_in(list(no_deputies)))
        .then(pl.col("attendee_ids").list.set_difference(list(deputies)))
        .otherwise(pl.col("attendee_ids")),
        planted=pl.when(pl.col("meeting_id").is_in(list(no_deputies))).then(pl.lit("M4-DEPUTIES"))
        .otherwise(pl.col("planted")),
    )
    items = items.filter(~pl.col("meeting_id").is_in(gone.implode()))
    # The same person at two levels: in a few team matters sent up to the deputy, the deputy took the team
    # leader's step as well (no rule is broken: a deputy may decide a team matter); half in the last quarter.
    two = approvals.filter(pl.col("matter_type") == "TEAM").group_by("matter_id").agg(
        levels=pl.col("level").sort_by("step_no").str.join(">"), steps=pl.len(), last=pl.col("decided_at").max(),
        deputy=pl.col("approver_id").filter(pl.col("level") == "DEPUTY").first(),
        all_approved=(pl.col("decision") == "APPROVE").all(), acting=pl.col("acting_for").is_not_null().any(),
    ).filter((pl.col("levels") == "TEAM_LEAD>DEPUTY") & pl.col("all_approved") & ~pl.col("acting")
             & (pl.col("last").dt.date() >= BREACH_FROM)).sort("matter_id")
    recent = two.filter(pl.col("last").dt.date() >= END.date().replace(month=4, day=1))
    older = two.filter(pl.col("last").dt.date() < END.date().replace(month=4, day=1))
    chosen = _pick(rng, recent["matter_id"].to_list(), TWO_LEVELS // 2) + _pick(rng, older["matter_id"].to_list(),
                                                                                TWO_LEVELS // 2)
    deputy = dict(two.select("matter_id", "deputy").rows())
    approvals = approvals.with_columns(approver_id=pl.when(
        pl.col("matter_id").is_in(chosen) & (pl.col("level") == "TEAM_LEAD"))
        .then(pl.col("matter_id").replace_strict(deputy, default=None)).otherwise(pl.col("approver_id")))
    return approvals, cases, meetings, items, sorted(gone_months)


# --------------------------------------------------------------------------------------------------
# The statutory clock: non-litigation cases, and deadlines as a newer case system exports them
# --------------------------------------------------------------------------------------------------

NON_LITIGATION = "非诉执行"
NON_LITIGATION_SHARE = 0.07  # of first-instance enforcement cases (首次执行)
DEADLINES_EXPORTED_FROM = dt.date(2023, 7, 1)  # the case system exports 审限届满日期 for cases filed since
EXTENSION_SHARE = 0.4  # of those needing longer than the statutory term: an approved three-month extension


def _clock_cases(rng: np.random.Generator, cases: pl.DataFrame) -> pl.DataFrame:
    """Relabel some first-instance cases as non-litigation enforcement (three months, closed faster), and
    add `deadline_on` for the cases filed since the case system began exporting it: the statutory deadline,
    three months later where an extension was approved (for cases that needed longer)."""
    from pipelines.domain import clock
    from pipelines.domain.workdays import build_calendar as official_calendar

    n = cases.height
    relabel = pl.Series((cases["case_kind"] == "首次执行").to_numpy() & (rng.random(n) < NON_LITIGATION_SHARE))
    days = pl.Series(rng.lognormal(np.log(55), 0.6, n).astype(np.int64))
    extend = pl.Series(rng.random(n) < EXTENSION_SHARE)
    cases = cases.with_columns(
        case_kind=pl.when(relabel).then(pl.lit(NON_LITIGATION)).otherwise("case_kind"),
        closed_on=pl.when(relabel).then(pl.col("filed_on") + pl.duration(days=days)).otherwise("closed_on"),
    ).with_columns(closed_on=pl.when(pl.col("closed_on") <= END.date()).then("closed_on"))
    cal = official_calendar(cases["filed_on"].min(), END.date() + dt.timedelta(days=800))
    months = pl.when(pl.col("case_kind") == NON_LITIGATION).then(clock.NON_LITIGATION_MONTHS) \
        .otherwise(clock.STATUTORY_MONTHS)
    statutory = clock.computed_deadline(pl.col("filed_on"), months, cal)
    longer = pl.coalesce("closed_on", pl.lit(END.date())) > statutory
    extended = clock.computed_deadline(pl.col("filed_on"), months + 3, cal)
    return cases.with_columns(
        deadline_on=pl.when(pl.col("filed_on") >= DEADLINES_EXPORTED_FROM)
        .then(pl.when(longer & extend).then(extended).otherwise(statutory))
    )


# --------------------------------------------------------------------------------------------------
# Everything together
# --------------------------------------------------------------------------------------------------


@dataclass
class DemoData:
    first: dt.date  # first day of approvals, substitutions and meetings
    org: Org
    cases: pl.DataFrame
    substitutions: pl.DataFrame
    approvals: pl.DataFrame
    meetings: pl.DataFrame
    meeting_items: pl.DataFrame
    planted_months: list[str] = field(default_factory=list)  # M4-REGULAR's planted record ids (YYYY-MM:TYPE)


# At most this many years of records, so every date stays plausible (contract.EARLIEST_DATE, 1990): a
# larger scale adds teams instead (scale 24, the bench's 10M steps, would otherwise start in 1976).
MAX_YEARS = 30


def span(scale: int) -> tuple[int, int]:
    """(years, teams) of the demo at `scale`: 2 × scale years and 9 × scale teams, the years capped at
    MAX_YEARS with teams added so the records still grow as scale²."""
    years = min(2 * scale, MAX_YEARS)
    return years, math.ceil(9 * scale * 2 * scale / years)


def generate(seed: int = 7, scale: int = 1) -> DemoData:
    """The demo bureau: 9 × scale teams, 2 × scale years ending on END (see `span`); same seed, same records."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    rng = np.random.default_rng(seed)
    years, teams = span(scale)
    first = dt.date(END.year - years, 7, 1)
    cal = build_calendar(first - dt.timedelta(days=400), END.date() + dt.timedelta(days=800))
    org = build_org(rng, teams)
    cases = build_cases(rng, org, cal, first)
    subs = build_substitutions(rng, org, cal, first)
    approvals, _ = build_approvals(rng, org, cal, cases, subs, first)
    planned = approvals.filter(pl.col("matter_type").is_in(["PLAN", "MAJOR"]))["case_id"].drop_nulls().unique()
    cases = cases.with_columns(is_major=pl.col("is_major") | pl.col("case_id").is_in(planned.implode()))
    meetings, items = build_meetings(rng, org, cal, cases, subs, first)
    later = np.random.default_rng([seed, scale, 10])  # the later rules' breaches: their own stream
    approvals = _plant_approvals(later, org, approvals, subs)
    meetings, items = _plant_meetings(later, org, meetings, items)
    approvals, cases, meetings, items, months = _plant_issue27(
        np.random.default_rng([seed, scale, 12]), org, approvals, cases, meetings, items)
    cases = _clock_cases(np.random.default_rng([seed, scale, 11]), cases)
    return DemoData(first, org, cases, subs, approvals, meetings, items, months)
