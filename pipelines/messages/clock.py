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
    # Tiers of open cases (null tier = more days left than the warning).
    "clock.tier.OK": ("期限内", "Within term"),
    "clock.tier.YELLOW": ("临近届满", "Near deadline"),
    "clock.tier.RED": ("已超审限", "Past deadline"),
    "clock.source.EXPORTED": ("导出", "Exported"),
    "clock.source.COMPUTED": ("计算", "Computed"),
    # Chart axes.
    "axis.open_cases": ("未结案件（件）", "Open cases (count)"),
    "axis.closed_cases": ("结案（件）", "Cases closed (count)"),
    "axis.on_time_share": ("法定期限内结案率（%）", "Share closed within the statutory term (%)"),
    "axis.judge": ("承办人", "Judge"),
    "axis.clock_tier": ("执行期限", "Statutory term"),
}
