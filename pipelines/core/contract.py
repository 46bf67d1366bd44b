"""The data contract in code: the single source of truth for the six input tables.

Everything that knows about columns, Chinese headers, types, required-ness, keys or enum codes reads
it from here: the readers, validation, the store schema, the import template and the pages.
Specification: ../shared/DATA_CONTRACT.md and ../shared/DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------
# Enumerations: code -> (Chinese label, English label), plus Chinese aliases accepted in exports.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enum:
    name: str
    labels: dict[str, tuple[str, str]]  # code -> (zh, en)
    aliases: dict[str, str] = field(default_factory=dict)  # extra accepted spelling -> code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str, lang: str = "zh") -> str:
        zh, en = self.labels[code]
        return zh if lang == "zh" else en

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (code, either label, alias; case-insensitive codes) -> code."""
        out: dict[str, str] = {}
        for code, (zh, en) in self.labels.items():
            out[code] = code
            out[code.lower()] = code
            out[zh] = code
            out[en.lower()] = code
        out.update(self.aliases)
        return out


POST = Enum(
    "post",
    {
        "COMMITTEE": ("审判委员会", "Judicial committee"),
        "PRESIDENT": ("院长", "President"),
        "VP": ("分管副院长", "Vice-president in charge"),
        "CHIEF": ("局长", "Bureau chief"),
        "DEPUTY": ("副局长", "Deputy chief"),
        "TEAM_LEAD": ("团队长", "Team leader"),
        "MEMBER": ("团队成员", "Team member"),
    },
    aliases={
        "审委会": "COMMITTEE",
        "分管院长": "VP",
        "执行局长": "CHIEF",
        "处长": "DEPUTY",
        "执行局副局长": "DEPUTY",
        "执行团队长": "TEAM_LEAD",
        "执行法官": "MEMBER",
        "法官助理": "MEMBER",
        "书记员": "MEMBER",
        "司法警察": "MEMBER",
        "执行员": "MEMBER",
    },
)

RANK: dict[str, int] = {
    "COMMITTEE": 7,
    "PRESIDENT": 6,
    "VP": 5,
    "CHIEF": 4,
    "DEPUTY": 3,
    "TEAM_LEAD": 2,
    "MEMBER": 1,
}

LEVEL_CODES = ("TEAM_LEAD", "DEPUTY", "CHIEF", "VP", "PRESIDENT", "COMMITTEE")  # low -> high
LEVEL = Enum(
    "level",
    {code: POST.labels[code] for code in LEVEL_CODES},
    aliases={k: v for k, v in POST.aliases.items() if v in LEVEL_CODES},
)

MATTER_TYPE = Enum(
    "matter_type",
    {
        "PLAN": ("重大疑难复杂案件执行方案", "Plan for a major/difficult/complex case"),
        "DISPOSAL": ("财产处置、降价（撤回）拍卖、抵债、变卖", "Asset disposal, auction price cut/withdrawal, set-off, sale"),
        "PAYOUT": ("执行案款发放", "Payout of enforcement money"),
        "FORCE": ("执行力量集中使用、团队间警力调配", "Concentrated use of forces, police between teams"),
        "RELIEF": ("执行救助决定及救助款发放", "Enforcement relief and its payment"),
        "OTHER_CHIEF": ("其他需局长批准事项", "Other matters for the chief"),
        "DOCUMENT": ("执行案件法律文书", "Legal documents of cases"),
        "COMMAND": ("执行指挥中心日常事务", "Command centre daily affairs"),
        "TEAM": ("团队内职责分工、任务分配", "Work assignment inside a team"),
        "MAJOR": ("重大事项", "Major matter"),
        "EXTERNAL": ("跨部门及对外协调、宣传", "External coordination and publicity"),
    },
)

# Matter types grouped by the rule that governs them (DOMAIN.md §3, §4).
CHIEF_MATTERS = ("PLAN", "DISPOSAL", "PAYOUT", "FORCE", "RELIEF", "OTHER_CHIEF")
PROCESS_MATTERS = ("PLAN", "DISPOSAL", "PAYOUT", "RELIEF")
DEPUTY_MATTERS = ("DOCUMENT", "COMMAND")

DECISION = Enum(
    "decision",
    {"APPROVE": ("同意", "Approve"), "REJECT": ("不同意", "Reject"), "RETURN": ("退回", "Return")},
)

MEETING_TYPE = Enum(
    "meeting_type",
    {"BUREAU": ("局务会议", "Bureau meeting"), "TEAM_LEADS": ("团队长联席会议", "Team leaders' meeting")},
    aliases={"局务会": "BUREAU", "团队长联席会": "TEAM_LEADS"},
)

POSITION = Enum(
    "position",
    {
        "FOR": ("赞成", "For"),
        "AGAINST": ("反对", "Against"),
        "ABSTAIN": ("弃权", "Abstain"),
        "ABSENT": ("未参加", "Absent"),
    },
)

OUTCOME = Enum(
    "outcome",
    {
        "MAJORITY": ("多数意见", "Majority"),
        "VP_DECIDED": ("分管副院长决定", "Decided by the VP"),
        "ESCALATED_LEADER": ("报分管院长决定", "Escalated to the court leader"),
        "ESCALATED_COMMITTEE": ("报审判委员会", "Escalated to the judicial committee"),
        "ADVISORY": ("参考意见", "Advisory"),
    },
)

ENUMS: dict[str, Enum] = {
    e.name: e for e in (POST, LEVEL, MATTER_TYPE, DECISION, MEETING_TYPE, POSITION, OUTCOME)
}

# Accepted boolean spellings (DATA_CONTRACT.md: true/false, 1/0, 是/否, Y/N).
TRUE_WORDS = frozenset({"true", "1", "是", "y", "yes", "t"})
FALSE_WORDS = frozenset({"false", "0", "否", "n", "no", "f"})

# Separators of attendee ids.
ID_LIST_SEPARATORS = ";；,，、"

# --------------------------------------------------------------------------------------------------
# Columns and tables
# --------------------------------------------------------------------------------------------------

# Column types. Enum types are the enum's name.
TEXT, TIMESTAMP, DATE, TIMESTAMP_OR_DATE, BOOL, INT, DECIMAL, ID_LIST = (
    "text",
    "timestamp",
    "date",
    "timestamp_or_date",
    "bool",
    "int",
    "decimal",
    "id_list",
)


@dataclass(frozen=True)
class RequiredIf:
    """A column required only when another column meets a condition.

    `in_codes` set: required when `column` has one of these codes; otherwise: when `column` is non-empty.
    """

    column: str
    in_codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Column:
    name: str
    zh: str  # Chinese template header
    type: str
    required: bool | RequiredIf = False
    default: object = None  # value used when the cell is empty and the column is optional
    min_value: int | None = None  # for int columns
    en: str = ""  # English display header (defaults to name)
    alt_headers: tuple[str, ...] = ()  # further accepted header spellings

    @property
    def enum(self) -> Enum | None:
        return ENUMS.get(self.type)

    def header(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else (self.en or self.name)


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # further accepted file/sheet names
    # Columns that must agree on every row sharing `group_by` (the approvals' matter columns).
    consistent_within: tuple[str, tuple[str, ...]] | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def header_lookup(self) -> dict[str, str]:
        """Accepted header spelling (English name, case-insensitive; Chinese header) -> column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.name.lower()] = c.name
            out[c.zh] = c.name
            for alt in c.alt_headers:
                out[alt] = c.name
        return out


STAFF = Table(
    "staff",
    "人员名册",
    "Staff roster",
    (
        Column("staff_id", "工号", TEXT, True, en="Staff id"),
        Column("name", "姓名", TEXT, True, en="Name"),
        Column("post", "岗位", "post", True, en="Post"),
        Column("team", "所属团队", TEXT, RequiredIf("post", ("TEAM_LEAD", "MEMBER")), en="Team"),
        Column("division", "分管部门", TEXT, RequiredIf("post", ("DEPUTY", "TEAM_LEAD", "MEMBER")), en="Division"),
        Column("title", "职务", TEXT, en="Title"),
        Column("party_secretary", "党支部书记", BOOL, default=False, en="Party-branch secretary"),
    ),
    key=("staff_id",),
)

CASES = Table(
    "cases",
    "案件",
    "Cases",
    (
        Column("case_id", "案号", TEXT, True, en="Case no."),
        Column("team", "承办团队", TEXT, True, en="Team"),
        Column("judge_id", "承办人工号", TEXT, en="Judge id"),
        Column("filed_on", "立案日期", DATE, True, en="Filed on"),
        Column("closed_on", "结案日期", DATE, en="Closed on"),
        Column("case_kind", "案件类型", TEXT, en="Case kind"),
        Column("amount_yuan", "执行标的金额（元）", DECIMAL, en="Amount (yuan)", alt_headers=("执行标的金额(元)", "执行标的金额")),
        Column("is_major", "重大疑难复杂", BOOL, default=False, en="Major/difficult/complex"),
        Column("deadline_on", "审限届满日期", DATE, en="Statutory deadline", alt_headers=("审限届满日", "执行期限届满日期")),
    ),
    key=("case_id",),
)

APPROVALS = Table(
    "approvals",
    "审批记录",
    "Approval steps",
    (
        Column("matter_id", "审批单号", TEXT, True, en="Matter id"),
        Column("case_id", "案号", TEXT, en="Case no."),
        Column("team", "承办团队", TEXT, en="Team"),
        Column("matter_type", "审批事项", "matter_type", True, en="Matter type"),
        Column("submitted_at", "提交时间", TIMESTAMP, True, en="Submitted at"),
        Column("submitted_by", "提交人工号", TEXT, True, en="Submitted by"),
        Column("step_no", "环节序号", INT, True, min_value=1, en="Step no."),
        Column("level", "审批层级", "level", True, en="Level"),
        Column("approver_id", "审批人工号", TEXT, True, en="Approver id"),
        Column("received_at", "到达时间", TIMESTAMP, True, en="Received at"),
        Column("decided_at", "办理时间", TIMESTAMP, en="Decided at"),
        Column("decision", "处理结果", "decision", RequiredIf("decided_at"), en="Decision"),
        Column("acting_for", "代行对象工号", TEXT, en="Acting for"),
    ),
    key=("matter_id", "step_no"),
    consistent_within=("matter_id", ("case_id", "team", "matter_type", "submitted_at", "submitted_by")),
)

SUBSTITUTIONS = Table(
    "substitutions",
    "替补记录",
    "Duty substitutions",
    (
        Column("substitution_id", "替补单号", TEXT, True, en="Substitution id"),
        Column("absent_id", "被替补人工号", TEXT, True, en="Absent id"),
        Column("substitute_id", "替补人工号", TEXT, True, en="Substitute id"),
        Column("decided_by", "决定人工号", TEXT, True, en="Decided by"),
        Column("start_at", "开始时间", TIMESTAMP_OR_DATE, True, en="Start"),
        Column("end_at", "结束时间", TIMESTAMP_OR_DATE, en="End"),
        Column("authorized", "授权代行", BOOL, default=False, en="Authorised to act"),
        Column("reason", "事由", TEXT, en="Reason"),
    ),
    key=("substitution_id",),
)

MEETINGS = Table(
    "meetings",
    "会议",
    "Meetings",
    (
        Column("meeting_id", "会议编号", TEXT, True, en="Meeting id"),
        Column("meeting_type", "会议类型", "meeting_type", True, en="Meeting type"),
        Column("held_on", "召开日期", DATE, True, en="Held on"),
        Column("chair_id", "主持人工号", TEXT, True, en="Chair id"),
        Column("chair_authorized", "授权主持", BOOL, default=False, en="Chair authorised"),
        Column("attendee_ids", "参会人员工号", ID_LIST, True, en="Attendee ids"),
    ),
    key=("meeting_id",),
)

MEETING_ITEMS = Table(
    "meeting_items",
    "会议议题",
    "Meeting items",
    (
        Column("item_id", "议题编号", TEXT, True, en="Item id"),
        Column("meeting_id", "会议编号", TEXT, True, en="Meeting id"),
        Column("case_id", "案号", TEXT, en="Case no."),
        Column("topic", "议题", TEXT, True, en="Topic"),
        Column("is_major", "重大疑难复杂", BOOL, default=False, en="Major/difficult/complex"),
        Column("votes_for", "赞成票", INT, True, min_value=0, en="Votes for"),
        Column("votes_against", "反对票", INT, True, min_value=0, en="Votes against"),
        Column("votes_abstain", "弃权票", INT, True, min_value=0, en="Abstentions"),
        Column("vp_position", "分管副院长意见", "position", True, en="VP's position"),
        Column("chief_position", "局长意见", "position", True, en="Chief's position"),
        Column("outcome", "决议方式", "outcome", True, en="Outcome"),
        Column("decided_on", "最终决定日期", DATE, en="Final decision on"),
        Column("minuted", "记录在案", BOOL, default=False, en="Minuted"),
    ),
    key=("item_id",),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (STAFF, CASES, APPROVALS, SUBSTITUTIONS, MEETINGS, MEETING_ITEMS)
}
# Load order: referenced tables first.
LOAD_ORDER = ("staff", "cases", "meetings", "approvals", "substitutions", "meeting_items")


@dataclass(frozen=True)
class Reference:
    table: str
    column: str
    target_table: str
    target_column: str


# DATA_CONTRACT.md "References are checked".
REFERENCES: tuple[Reference, ...] = (
    Reference("approvals", "approver_id", "staff", "staff_id"),
    Reference("approvals", "submitted_by", "staff", "staff_id"),
    Reference("approvals", "acting_for", "staff", "staff_id"),
    Reference("approvals", "case_id", "cases", "case_id"),
    Reference("substitutions", "absent_id", "staff", "staff_id"),
    Reference("substitutions", "substitute_id", "staff", "staff_id"),
    Reference("substitutions", "decided_by", "staff", "staff_id"),
    Reference("meetings", "chair_id", "staff", "staff_id"),
    Reference("meetings", "attendee_ids", "staff", "staff_id"),
    Reference("meeting_items", "meeting_id", "meetings", "meeting_id"),
    Reference("meeting_items", "case_id", "cases", "case_id"),
    Reference("cases", "judge_id", "staff", "staff_id"),
)


def tables_named(stem: str) -> set[str]:
    """The tables a file stem or sheet name names: each table whose English or Chinese name (any case) it
    contains, with any prefix or suffix. A name found only inside a longer one does not count, so
    `会议议题_2024` names meeting_items, not also meetings (会议)."""
    s = stem.strip().lower()
    found: list[tuple[int, int, str]] = []  # (start, end, table)
    for t in TABLES.values():
        for name in dict.fromkeys(n.lower() for n in (t.name, t.zh, *t.aliases)):
            at = s.find(name)
            while at != -1:
                found.append((at, at + len(name), t.name))
                at = s.find(name, at + 1)
    return {t for a, b, t in found
            if not any(c <= a and b <= d and d - c > b - a for c, d, _ in found)}


def table_for_name(stem: str) -> str | None:
    """Which table a file stem or sheet name names: the one table whose English or Chinese name it contains,
    any case, any prefix or suffix (`审批记录_2024-06`, `tw_ok_替补记录`, `Meeting_Items-2024`); None when it
    names no table or more than one (`审批记录_会议`: which would it be?)."""
    named = tables_named(stem)
    return next(iter(named)) if len(named) == 1 else None


def accepted_names(lang: str = "zh") -> str:
    """The names a file or sheet may carry, one per table, for a message: `审批记录 (approvals)`…"""
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{t.zh} ({t.name})" for t in TABLES.values())


# DuckDB column types of the stored tables.
DUCKDB_TYPES = {
    TEXT: "VARCHAR",
    TIMESTAMP: "TIMESTAMP",
    DATE: "DATE",
    TIMESTAMP_OR_DATE: "TIMESTAMP",
    BOOL: "BOOLEAN",
    INT: "BIGINT",
    DECIMAL: "DOUBLE",
    ID_LIST: "VARCHAR[]",
}


def duckdb_type(col: Column) -> str:
    return "VARCHAR" if col.enum else DUCKDB_TYPES[col.type]


# --------------------------------------------------------------------------------------------------
# Severities (DATA_CONTRACT.md "Loading"): an error refuses the whole load; a warning loads, is counted,
# listed in the load report and recorded with the load. A kind not declared here is an error.
# --------------------------------------------------------------------------------------------------

ERROR, WARNING = "error", "warning"

# Plausible dates: none before this day, none more than this many days after the day of the load.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DAYS_AHEAD = 366


@dataclass(frozen=True)
class OrderCheck:
    """Two columns of one row expected in order (`first` <= `second`); a row out of order is a warning
    named by `kind`, located at `second`."""

    kind: str
    table: str
    first: str
    second: str


ORDER_CHECKS: tuple[OrderCheck, ...] = (
    OrderCheck("decided_before_received", "approvals", "received_at", "decided_at"),  # latency counts 0
    OrderCheck("received_before_submitted", "approvals", "submitted_at", "received_at"),  # kept as exported
    OrderCheck("ends_before_start", "substitutions", "start_at", "end_at"),  # covers no day
    OrderCheck("closed_before_filed", "cases", "filed_on", "closed_on"),  # kept as exported
)

SEVERITY: dict[str, str] = {
    # Errors: the file, a header, a cell or a row cannot be taken as it is.
    **dict.fromkeys(
        (
            "unreadable", "too_large", "empty_file", "missing_column", "duplicate_column", "column_type",
            "required", "required_if", "int_min", "enum", "duplicate_key", "inconsistent", "reference",
            "nul_byte", "two_digit_year", "date_range", "non_finite",
            TEXT, TIMESTAMP, DATE, TIMESTAMP_OR_DATE, BOOL, INT, DECIMAL, ID_LIST,
        ),
        ERROR,
    ),
    # Warnings: the row is loaded as it is; the report and the Data page list it.
    **{c.kind: WARNING for c in ORDER_CHECKS},
    # A stored matter's attributes across loads (DOMAIN.md §5: its latest step's): the load changes them
    # (stored -> new), or brings an older step that disagrees and the matter keeps its latest step's.
    "matter_changed": WARNING,
    "matter_kept": WARNING,
}


def severity(kind: str) -> str:
    return SEVERITY.get(kind, ERROR)
