"""Dashboard text of issue 22: the glossary every help icon leads to, the notices of a bookmark that had to be
changed, and the note on an incomplete snapshot month."""

GLOSSARY_TERMS = ("within_limit", "median", "p90", "pp", "workday", "yoy")

MESSAGES = {
    "nav.glossary": ("术语解释", "Glossary"),
    "glossary.title": ("术语解释", "Glossary"),
    "glossary.intro": ("看板上的指标用语，各页问号提示中的“术语解释”链接到这里。",
                       "The words the dashboard's figures use; the “Glossary” link in every help tip leads here."),
    "glossary.link": ("[术语解释](./glossary)", "[Glossary](./glossary?lang=en)"),
    "glossary.within_limit": ("按时办结率", "Steps within limit (按时办结率)"),
    "glossary.within_limit.text": (
        ("在本层级办理时限内办结的审批环节所占比例。时限按工作日计，默认团队长 1、副局长 2、局长 3、分管副院长 5、院长 5、"
        "审判委员会 20 个工作日（可在设置中修改）。总览以它为审批时效的首要指标：全部环节合在一起的用时中位数会因快、慢层级"
        "环节数量此消彼长而升降，即使没有哪个层级变慢；按时办结率只在某一层级确实变快或变慢时变化。"),
        ("The share of approval steps decided within their level's limit, in working days (defaults: team leader 1, "
        "deputy 2, chief 3, vice-president 5, president 5, judicial committee 20; a setting). The Overview leads with "
        "it: the median of all steps together rises and falls as the mix of quick and slow levels shifts, even when "
        "no level got slower; this share moves only when a level really did."),
    ),
    "glossary.median": ("中位数", "Median"),
    "glossary.median.text": (
        "把数值从小到大排列后正中间的值：一半的环节用时不超过它，一半超过它。少数极慢的环节不会把它拉高（平均数会）。",
        ("The middle value once values are sorted: half the steps took at most this long, half longer. A few very "
        "slow steps do not pull it up (a mean would)."),
    ),
    "glossary.p90": ("P90（第 90 百分位数）", "P90 (90th percentile)"),
    "glossary.p90.text": (
        "90% 的环节用时不超过此值；它说明最慢的那一成环节有多慢。按线性插值计算（与 numpy 默认相同）。",
        ("90 % of the steps took at most this long: how slow the slowest tenth is. Linear interpolation, as "
        "numpy's default."),
    ),
    "glossary.pp": ("百分点（pp）", "Percentage point (pp)"),
    "glossary.pp.text": (
        "两个百分比之差。从 5.0% 升到 7.1% 是上升 2.1 个百分点（+2.1 pp），不是上升 2.1%。",
        "The difference of two percentages: from 5.0 % to 7.1 % is up 2.1 percentage points (+2.1 pp), not 2.1 %.",
    ),
    "glossary.workday": ("工作日", "Working day"),
    "glossary.workday.text": (
        ("中国大陆官方工作日：法定节假日不算，调休上班的周末算。一个环节的工作日数是（到达日，办理日]之间的工作日个数，"
        "当天办结为 0。"),
        ("An official working day of mainland China: statutory holidays do not count, weekend days worked in lieu "
        "do. A step's working days are those in (day received, day decided]; the same day is 0."),
    ),
    "glossary.yoy": ("上期与同比", "Previous period and year on year"),
    "glossary.yoy.text": (
        ("上期：紧挨在所选期间之前、等长的期间（所选 2024-05 时为 2024-04）。同比：去年的同一期间（2023-05）。"
        "对比期间早于数据的第一个月时不作比较。"),
        ("Previous: the period of equal length just before the one chosen (2024-04 for 2024-05). Year on year: the "
        "same months a year earlier (2023-05). No comparison is shown when that period is before the data's "
        "first month."),
    ),
}

MESSAGES.update({
    "bookmark.bad_month": ("链接中的月份“{value}”无法识别（应为 YYYY-MM），已忽略。",
                           "The month “{value}” in the link is not a month (YYYY-MM) and was ignored."),
    "bookmark.period_outside": (
        "链接中的期间 {start} 至 {end} 不在数据范围（{first} 至 {last}）内，已改为最近三个月 {new_start} 至 {new_end}。",
        ("The link's period {start} to {end} lies outside the data ({first} to {last}); showing the last three "
        "months, {new_start} to {new_end}, instead."),
    ),
    "bookmark.period_cut": (
        "链接中的期间 {start} 至 {end} 超出数据范围（{first} 至 {last}），已改为其中有数据的 {new_start} 至 {new_end}。",
        ("The link's period {start} to {end} reaches beyond the data ({first} to {last}); showing the part with "
        "data, {new_start} to {new_end}."),
    ),
    "bookmark.unknown": ("链接中的{dim}“{values}”在数据中不存在，已忽略。",
                         "The link's {dim} “{values}” is not in the data and was ignored."),
    "bookmark.dim.division": ("分管部门", "division"),
    "bookmark.dim.team": ("团队", "team"),
    "bookmark.dim.matter_type": ("审批事项", "matter type"),
    "bookmark.dim.level": ("审批层级", "level"),
    "bookmark.no_page": ("没有“{page}”这个页面，已打开总览。", "There is no page “{page}”; showing the Overview."),
})

MESSAGES.update({
    "monthly.h.within_limit_share": ("按时办结率（审批环节在本层级时限内办结）",
                                     "Approval steps decided within their level's limit"),
})

MESSAGES.update({
    "metric.open_page": ("查看{page}", "Open {page}"),
    "snapshot.incomplete": (
        "数据截至 {snapshot}：{month} 尚未结束，本月的数字只到这一天，与整月比较时偏小。",
        ("The data runs to {snapshot}: {month} is not over, so its figures cover part of the month and read low "
        "against whole months."),
    ),
})

MESSAGES.update({
    # a tile's label is one line: "分管副院长决定比例（%）" was cut at 1366 px
    "meetings.tie_break_tile": ("分管副院长决定比例", "Decided by the VP"),
})
