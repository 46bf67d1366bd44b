"""The statutory clock of a case (DOMAIN.md §6): its basis, tiers, chart axes, the page and the report."""

MESSAGES = {
    # The basis, quoted (法释〔2000〕29号 第五条) and rendered.
    "clock.basis.title": (
        "《最高人民法院关于严格执行案件审理期限制度的若干规定》（法释〔2000〕29号）第五条",
        "SPC Provisions on Strictly Observing the Time Limits for Hearing Cases (Fa Shi [2000] No. 29), Art. 5",
    ),
    "clock.basis.text": (
        ("执行案件应当在立案之日起六个月内执结，非诉执行案件应当在立案之日起三个月内执结；有特殊情况需要延长的，"
        "经本院院长批准，可以延长三个月，还需延长的，层报高级人民法院备案。"),
        ("Enforcement cases shall be concluded within six months of filing, non-litigation enforcement cases within "
        "three months of filing; where special circumstances require an extension, the president of the court may "
        "approve three more months, and a further extension is reported up to the high court."),
    ),
    "clock.basis.reading": (
        ("期限计算：立案当日不计入；期间届满的最后一日是法定休假日的，以休假日后的第一日为期间届满的日期（民事诉讼法期间的规定）。"
        "导出数据提供「审限届满日期」的（已含经批准的延长和不计入审限的期间），以导出日期为准；未提供的，按立案日期加6个月"
        "（{kinds}：3个月）计算，当月无对应日期的取当月最后一日，遇节假日顺延至其后第一个工作日。未结案件距届满不超过{days}天为黄色，"
        "超过届满日期为红色。"),
        ("Counting: the day of filing is not counted; a period whose last day is a statutory holiday ends on the first "
        "working day after it (Civil Procedure Law, time periods). Where the export gives a statutory deadline "
        "(审限届满日期, approved extensions and excluded periods included), it is used as given; otherwise filing + 6 "
        "months ({kinds}: 3), the month's last day where that day does not exist, moved past holidays to the next "
        "working day. An open case is yellow with {days} days or fewer left, red once past its deadline."),
    ),
    # The page.
    "nav.clock": ("执行期限", "Statutory clock"),
    "clock.title": ("执行期限", "Statutory clock"),
    "clock.intro": (
        ("法律规定的执行期限（立案后6个月，非诉执行3个月），与规定内部的审批时效并列：哪些未结案件已超审限或临近届满，"
        "按团队和承办人；各月结案中法定期限内结案的比例。"),
        ("The law's deadline for a case (six months from filing, three for non-litigation cases), beside the "
        "regulation's approval latency: which open cases are past or near their deadline, by team and judge; the "
        "share of each month's closed cases concluded within the statutory term."),
    ),
    "clock.metric.open": ("未结案件（当前）", "Open now"),
    "clock.metric.red": ("已超审限（当前）", "Overdue now"),
    "clock.metric.red.help": (
        "截至数据时点已超过审限届满日期仍未结案的案件。", "Open cases past their statutory deadline at the snapshot.",
    ),
    "clock.metric.yellow": ("临近届满（当前）", "Near deadline"),
    "clock.metric.yellow.help": (
        "截至数据时点距审限届满不超过设置天数（默认30天）的未结案件。",
        "Open cases with no more than the setting's days (30 by default) left at the snapshot.",
    ),
    "clock.metric.on_time_share": ("法定期限内结案率", "Closed within term"),
    "clock.metric.on_time_share.help": (
        "期间内结案 {closed} 件，其中在审限届满日期当日或之前结案 {on_time} 件。",
        "{closed} cases closed in the period, {on_time} of them on or before their statutory deadline.",
    ),
    "clock.metric.median_days": ("结案天数中位数", "Median days"),
    "clock.metric.median_days.help": (
        "期间内结案案件自立案至结案的天数中位数；平均 {mean:,.0f} 天。",
        "Median days from filing to closing of the period's closed cases; mean {mean:,.0f} days.",
    ),
    "clock.open_by": ("未结案件的期限状态", "Open cases by statutory tier"),
    "clock.open_by_team": ("各团队未结案件（按期限状态）", "Open cases per team, by tier"),
    "clock.open_by_judge": ("承办人未结案件（按期限状态）", "Open cases per judge, by tier"),
    "clock.open_by_judge.help": (
        "有已超审限或临近届满案件的承办人（{n} 人，最多显示 {top} 人，超审限多者在前）。",
        "Judges with cases past or near their deadline ({n}; at most {top} shown, most past-deadline first).",
    ),
    "clock.nearest": ("未结案件：审限届满日期最近者在前", "Open cases, nearest deadline first"),
    "clock.tier_filter": ("期限状态", "Tier"),
    "clock.tier_filter.all": ("全部未结", "All open"),
    "clock.monthly": ("各月结案与法定期限内结案率", "Cases closed per month and the share within term"),
    "clock.basis.heading": ("依据", "Basis"),
    "clock.overview.open_page": ("查看执行期限", "Open the statutory clock"),
    "metric.on_time_share": ("法定期限内结案率", "Closed on time"),
    "metric.on_time_share.help": (
        "期间内结案 {closed} 件中在审限届满日期当日或之前结案的比例；当前已超审限的未结案件 {red} 件。",
        ("Share of the period's {closed} closed cases concluded on or before their statutory deadline; {red} open "
        "cases are past their deadline now."),
    ),
    # Tiers of open cases (null tier = more days left than the warning).
    "clock.tier.OK": ("期限内", "Within term"),
    "clock.tier.YELLOW": ("临近届满", "Near deadline"),
    "clock.tier.RED": ("已超审限", "Past deadline"),
    "clock.source.EXPORTED": ("导出", "Exported"),
    "clock.source.COMPUTED": ("计算", "Computed"),
    # The report command and its notes.
    "report.clock": (
        ("法定执行期限：结案 {closed} 件，其中法定期限内 {on_time} 件（法定期限内结案率 {share}），结案用时中位数 {median} 天；"
        "当前未结 {open} 件，其中已超审限 {red} 件、临近届满 {yellow} 件。"),
        ("Statutory term: {closed} cases closed, {on_time} within it ({share} on time), median {median} days to close; "
        "{open} open now, {red} past their deadline, {yellow} near it."),
    ),
    "report.figure.cases_open": ("未结案件", "open cases"),
    "report.figure.cases_closed": ("结案数字", "closed cases"),
    # Columns of the clock's tables (pipelines.tables.marts.DISPLAY).
    "col.judge_name": ("承办人", "Judge"),
    "col.case_kind": ("案件类型", "Case kind"),
    "col.filed_on": ("立案日期", "Filed on"),
    "col.closed_on": ("结案日期", "Closed on"),
    "col.deadline": ("审限届满日期", "Statutory deadline"),
    "col.deadline_source": ("届满日期来源", "Deadline from"),
    "col.days_left": ("距届满（天）", "Days left"),
    "col.closed": ("结案数", "Closed"),
    "col.on_time": ("法定期限内结案", "Closed on time"),
    "col.on_time_share": ("法定期限内结案率", "Share on time"),
    "col.median_days_to_close": ("结案用时中位数（天）", "Median days to close"),
    "col.mean_days_to_close": ("平均结案用时（天）", "Mean days to close"),
    "col.cases": ("案件数", "Cases"),
    # The monthly Word report's section.
    "monthly.s.clock": ("六、法定执行期限", "6. Statutory time limit of cases"),
    "monthly.clock.basis": ("依据：{title}：“{text}”", "Basis: {title}: “{text}”"),
    "monthly.h.on_time_share": ("法定期限内结案率", "Share closed within the statutory term"),
    "monthly.clock.closed": ("结案（件）", "Cases closed"),
    "monthly.clock.on_time": ("法定期限内结案（件）", "Closed within the term"),
    "monthly.clock.median_days": ("结案用时中位数（天）", "Median days to close"),
    "monthly.clock.open_now": ("当前未结（件）", "Open now"),
    "monthly.clock.red_now": ("当前已超审限（件）", "Past deadline now"),
    "monthly.clock.days_over": ("已超期（天）", "Days past deadline"),
    "monthly.clock.now": (
        "截至数据时点未结案件 {open} 件，其中已超审限 {red} 件、临近届满 {yellow} 件（当前状态，不受月份限制）。",
        "At the snapshot {open} cases are open, {red} past their deadline and {yellow} near it (now; no month applies).",
    ),
    "monthly.t.clock": ("法定期限内结案与上月比较", "Cases closed within the statutory term against the previous month"),
    "monthly.t.clock_teams": ("各团队结案与未结案件", "Closed and open cases per team"),
    "monthly.t.clock_overdue": ("超审限时间最长的 {n} 件未结案件", "The {n} open cases longest past their deadline"),
    "monthly.f.clock": ("近12个月结案数与法定期限内结案率", "Cases closed and the share within term over 12 months"),
    # Chart axes.
    "axis.open_cases": ("未结案件（件）", "Open cases (count)"),
    "axis.closed_cases": ("结案（件）", "Cases closed (count)"),
    "axis.on_time_share": ("法定期限内结案率（%）", "Share closed within the statutory term (%)"),
    "axis.judge": ("承办人", "Judge"),
    "axis.clock_tier": ("执行期限", "Statutory term"),
}
