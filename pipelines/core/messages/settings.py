"""Settings: the help of every setting (pipelines.domain.settings.SETTINGS), the defaults file, settings and
holidays-file errors."""

MESSAGES = {
    # The defaults file (pipelines/domain/settings.default.toml is rendered from these and SETTINGS).
    "settings.file.header": (
        ("tierwatch 设置：规定中需要解释的取值（DOMAIN.md 中标注 *(reading)* 之处）和导入的上限。\n"
        "本文件由 pipelines/domain/settings.py 生成（python -m pipelines.domain.settings），请勿直接修改。\n"
        "第十五条规定由局务会议负责解释，因此这些取值可以修改：在数据库旁（data/settings.toml）新建 settings.toml，\n"
        "只写需要改变的设置项，未写的沿用本文件的默认值。修改在下一次导入或 python -m pipelines rebuild 时生效。"),
        ("tierwatch settings: the regulation's *(reading)* choices (DOMAIN.md) and the loader's limits.\n"
        "Generated from pipelines/domain/settings.py (python -m pipelines.domain.settings); do not edit by hand.\n"
        "Art. 15 lets the bureau meeting interpret the regulation, so these can change: write a settings.toml\n"
        "beside the store (data/settings.toml) with only the keys to change; keys left out keep these defaults.\n"
        "Changes take effect on the next load or `python -m pipelines rebuild`."),
    ),
    "settings.section.regulation": ("规定的解释", "Readings of the regulation"),
    "settings.section.latency.level_limits_workdays": (
        "各审批层级的办理时限（工作日）。已办结环节超过时限计为超期，待办环节超过时限为红色预警。",
        ("Working-day limits per approval level; a decided step over its limit counts as over the limit, a "
        "pending step is RED over it."),
    ),
    "settings.section.latency.warning": ("待办环节的预警", "Warnings on pending steps"),
    "settings.section.clock": (
        "案件的法定执行期限（《最高人民法院关于严格执行案件审理期限制度的若干规定》第五条）：立案后6个月，非诉执行案件3个月。仅在导出数据未提供审限届满日期时据此计算。",
        ("The statutory clock of a case (SPC rule on time limits, Art. 5): six months from filing, three for "
        "non-litigation cases. Used only when the export gives no statutory deadline (审限届满日期)."),
    ),
    "settings.section.calendar": ("工作日日历", "Working-day calendar"),
    "settings.section.load": (
        "导入的上限：对异常文件在解析前拒绝（数据管理页上传大小的上限见 .streamlit/config.toml 的 server.maxUploadSize）。",
        ("Limits of a load: hostile files are refused before parsing (the Data page's upload size limit is "
        "server.maxUploadSize in .streamlit/config.toml)."),
    ),
    # Help of each setting: settings.help.<key>.
    "settings.help.regulation.effective_date": (
        "规定的施行日期：此日前的记录照常显示，但不按规定判断。审批单按最终办理时间、替补按开始时间、会议及其议题按召开日期计。",
        ("Records dated before this day are shown but not judged by the rules (the text gives no date beyond its "
        "2023 number). Matters are dated by their final decision, substitutions by their start, meetings and "
        "their items by the meeting day."),
    ),
    "settings.help.regulation.leadership_posts": (
        "领导岗位（第十二条）：不得由他人替补，经授权代行局长职责的副局长除外（第八条第五项）。",
        ("Leadership posts (Art. 12): nobody may substitute for them, except a deputy authorised to act for the "
        "absent chief (Art. 8.5)."),
    ),
    "settings.help.regulation.equal_rank_substitution_allowed": (
        "顺向替补指替补人级别低于被替补人；同级替补是否允许属于解释，true 为允许。",
        ("\"Forward\" substitution: the substitute's rank is lower than the absent person's. Whether a peer "
        "(equal rank) may substitute is a reading; true = allowed."),
    ),
    "settings.help.regulation.temporary_substitution_limit_days": (
        "临时性替补的最长天数：超过此天数（或未填结束时间）的替补计为问题。",
        "Temporary substitution: longer than this many days (or with no end) is a finding.",
    ),
    "settings.help.regulation.undecided_escalation_days": (
        ("报分管院长或审判委员会决定的议题（第五条），会后超过此天数（计至数据截止日）仍无最终决定日期的，计为问题"
        "（M5-UNDECIDED）；之后补录决定即不再计入。应为正整数。"),
        ("An item escalated to the court leader or the judicial committee (Art. 5) that still has no final decision "
        "date more than this many days after the meeting (counted to the data's snapshot date) is a finding "
        "(M5-UNDECIDED). A decision recorded later removes it. A whole number."),
    ),
    "settings.section.regulation.meeting_interval_months": (
        "第四条“定期召开”：每类会议至少每几个自然月召开一次（M4-REGULAR）。",
        ("Art. 4 \"regular\" (定期召开) meetings: each meeting type is held at least once in this many calendar "
        "months (M4-REGULAR)."),
    ),
    "settings.help.regulation.meeting_interval_months.BUREAU": (
        ("局务会议的最长间隔（自然月）：某月及其前 N−1 个月内均未召开局务会议的，该月计为问题。应为正整数。"),
        ("Bureau meetings: a month with no bureau meeting in it or the N − 1 months before is a finding. A whole "
        "number."),
    ),
    "settings.help.regulation.meeting_interval_months.TEAM_LEADS": (
        ("团队长联席会议的最长间隔（自然月）：某月及其前 N−1 个月内均未召开团队长联席会议的，该月计为问题。应为正整数。"),
        ("Team leaders' meetings: a month with no such meeting in it or the N − 1 months before is a finding. A "
        "whole number."),
    ),
    "settings.help.regulation.deputies_attend_team_leads": (
        ("团队长联席会议由局长、副局长、团队长参加（第四条）：true 时，名册有副局长而会议无一名副局长参加的，计为问题"
        "（M4-DEPUTIES）。"),
        ("The team leaders' meeting is attended by the chief, the deputies and the team leaders (Art. 4): when true, "
        "a team leaders' meeting no deputy attends, while the roster has one, is a finding (M4-DEPUTIES)."),
    ),
    "settings.help.regulation.major_case_plan_days": (
        ("重大、疑难、复杂案件的执行方案应报局长批准（第六条第三项、第七条第一项）：立案超过此天数仍无经局长级审批的"
        "执行方案（审批事项类型 PLAN）的，计为问题（A7-PLAN）。应为正整数。"),
        ("A major/difficult/complex case needs an enforcement plan approved by the chief (Art. 6(3), 7(1)): more "
        "than this many days after filing without a PLAN matter with chief-level approval is a finding (A7-PLAN). "
        "A whole number."),
    ),
    "settings.help.latency.level_limits_workdays.TEAM_LEAD": ("团队长审批时限（工作日）", "Team leader's limit (working days)"),
    "settings.help.latency.level_limits_workdays.DEPUTY": ("副局长审批时限（工作日）", "Deputy chief's limit (working days)"),
    "settings.help.latency.level_limits_workdays.CHIEF": ("局长审批时限（工作日）", "Bureau chief's limit (working days)"),
    "settings.help.latency.level_limits_workdays.VP": (
        "分管副院长审批时限（工作日）", "Vice-president's limit (working days)"),
    "settings.help.latency.level_limits_workdays.PRESIDENT": ("院长审批时限（工作日）", "President's limit (working days)"),
    "settings.help.latency.level_limits_workdays.COMMITTEE": (
        "审判委员会审批时限（工作日）", "Judicial committee's limit (working days)"),
    "settings.help.latency.warning.yellow_share": (
        "待办环节已用时达到本层级时限的此比例时转为黄色预警（默认 2/3），应在 0 到 1 之间。",
        "A pending step turns YELLOW once this share of its level's limit is used (2/3); between 0 and 1.",
    ),
    "settings.help.clock.non_litigation_kinds": (
        "按3个月计算执行期限的案件类型（案件表的「案件类型」），其余案件按6个月计算。",
        "Case kinds (the cases' case_kind) whose statutory term is three months; every other case runs six.",
    ),
    "settings.help.clock.yellow_days": (
        "未结案件距审限届满不超过此天数时为黄色预警，超过审限为红色。应为正整数。",
        ("An open case turns YELLOW when this many days or fewer are left to its deadline, RED once past it. A "
        "whole number."),
    ),
    "settings.help.calendar.holidays_file": (
        ("节假日文件：CSV（列 date,kind）或 TOML（[[day]] date = 2027-01-01, kind = \"holiday\"）。kind 为 holiday（放假）"
        "或 workday（调休上班）。它覆盖并补充 chinese-calendar 包的法定日历（2004–2026 年）。相对路径从数据库所在文件夹读取；"
        "留空则使用数据库旁的 holidays.csv 或 holidays.toml（如有）。"),
        ("Holidays file: CSV (columns date,kind) or TOML ([[day]] date = 2027-01-01, kind = \"holiday\"). kind is "
        "`holiday` (a day off) or `workday` (a weekend day worked in lieu, 调休). It overrides and extends the "
        "official calendar of the chinese-calendar package (2004–2026). A relative path is read from the store's "
        "folder. Empty: `holidays.csv` or `holidays.toml` beside the store, if present."),
    ),
    "settings.help.load.xlsx_max_uncompressed_mb": (
        "xlsx 工作簿解压后的最大总大小（MB）。超过的文件在解析前即被拒绝（xlsx 是 zip 压缩包，一个很小的文件可能解压成数 GB）。",
        ("Largest total uncompressed size of an .xlsx workbook (MB). A larger one is refused before parsing (an "
        ".xlsx is a zip archive; a small file can inflate to gigabytes)."),
    ),
    "settings.help.load.xlsx_max_ratio": (
        "xlsx 工作簿解压后与压缩后大小之比的上限。超过的文件（压缩炸弹）在解析前即被拒绝；正常导出的工作簿远低于此值。",
        ("Largest ratio of uncompressed to compressed size of an .xlsx workbook. A higher one (a zip bomb) is "
        "refused before parsing; ordinary exports stay far below it."),
    ),
    # Data page columns.
    "settings.col.key": ("设置项", "Setting"),
    "settings.col.value": ("当前值", "In effect"),
    "settings.col.default": ("默认值", "Default"),
    "settings.col.help": ("说明", "Meaning"),
    # Where an error is.
    "settings.where.key_line": ("{path} 第 {line} 行，设置项 {key}：", "{path}, line {line}, setting {key}: "),
    "settings.where.key": ("{path}，设置项 {key}：", "{path}, setting {key}: "),
    "settings.where.line": ("{path} 第 {line} 行：", "{path}, line {line}: "),
    "settings.where.file": ("{path}：", "{path}: "),
    # What is wrong.
    "settings.error.no_file": ("找不到设置文件", "no such settings file"),
    "settings.error.unreadable": ("无法读取文件（{reason}）", "cannot read the file ({reason})"),
    "settings.error.encoding": ("不是 UTF-8 编码的文本，请以 UTF-8 保存", "not UTF-8 text; save it as UTF-8"),
    "settings.error.syntax_at": (
        "第 {column} 列附近不符合 TOML 格式（{reason}）",
        "not valid TOML near column {column} ({reason})",
    ),
    "settings.error.syntax": ("不符合 TOML 格式（{reason}）", "not valid TOML ({reason})"),
    "settings.error.unknown_key": (
        "未知的设置项（请对照 settings.default.toml；此处可用：{known}）",
        "unknown setting (compare with settings.default.toml; known here: {known})",
    ),
    "settings.error.table": ("应为一节设置（[…]），不能是单个值", "must be a table of settings ([…]), not a single value"),
    "settings.error.not_table": ("应为单个值，不能是一节设置", "must be a single value, not a table"),
    "settings.error.date": ("应为日期（如 2023-01-01），实际为 {value}", "must be a date such as 2023-01-01, not {value}"),
    "settings.error.codes": ("取值 {value} 有误，可用代码：{allowed}", "has invalid codes {value}; allowed: {allowed}"),
    "settings.error.bool": ("应为 true 或 false，实际为 {value}", "must be true or false, not {value}"),
    "settings.error.number": ("应为数字，实际为 {value}", "must be a number, not {value}"),
    "settings.error.finite": ("应为有限的数字，实际为 {value}", "must be a finite number, not {value}"),
    "settings.error.positive": ("应为正数，实际为 {value}", "must be a positive number, not {value}"),
    "settings.error.whole": ("应为正整数，实际为 {value}", "must be a whole number, not {value}"),
    "settings.error.share": ("应在 0 到 1 之间，实际为 {value}", "must be between 0 and 1, not {value}"),
    "settings.error.texts": (
        "应为非空文本的列表，如 [\"非诉执行\"]，实际为 {value}",
        "must be a list of non-empty texts, such as [\"非诉执行\"], not {value}",
    ),
    "settings.error.text": ("应为文本（带引号），实际为 {value}", "must be text (in quotes), not {value}"),
    "settings.error.missing_file": ("找不到文件 {value}", "file {value} not found"),
    # Holidays file.
    "holidays.error.columns": (
        "节假日文件的表头应含 date 和 kind 两列，实际为 {value}",
        "a holidays file's header must have the columns date and kind, not {value}",
    ),
    "holidays.error.date": (
        "日期 {value} 有误（应为 YYYY-MM-DD）",
        "date {value} is invalid (expected YYYY-MM-DD)",
    ),
    "holidays.error.kind": (
        "类型 {value} 有误（应为 holiday 或 workday）",
        "kind {value} is invalid (expected holiday or workday)",
    ),
    "holidays.error.duplicate": (
        "日期 {value} 已在第 {other} 行出现且类型不同",
        "date {value} already appears on line {other} with another kind",
    ),
    "holidays.error.entries": (
        "TOML 节假日文件应为若干 [[day]] 条目，每条含 date 和 kind",
        "a TOML holidays file must be [[day]] entries, each with date and kind",
    ),
    "holidays.error.entry_key": (
        "[[day]] 条目中有未知的键 {value}（可用：date、kind、name）",
        "unknown key {value} in a [[day]] entry (known: date, kind, name)",
    ),
}
