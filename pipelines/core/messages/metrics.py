"""Metric labels and the text report."""

MESSAGES = {
    # labels
    "metrics.scope.TEAM": ("团队内", "within a team"),
    "metrics.scope.DIVISION": ("分管部门内", "within a division"),
    "metrics.scope.BUREAU": ("全局", "bureau-wide"),
    "metrics.tier.YELLOW": ("黄色预警", "Yellow"),
    "metrics.tier.RED": ("红色预警（超期）", "Red (over the limit)"),
    "metrics.direction.FORWARD": ("顺向", "forward"),
    "metrics.direction.EQUAL": ("同级", "peer"),
    "metrics.direction.REVERSE": ("逆向", "reverse"),
    "metrics.calendar.package": ("法定节假日（chinese-calendar）", "official holidays (chinese-calendar)"),
    "metrics.calendar.file": ("本局节假日文件", "the bureau's holidays file"),
    "metrics.calendar.weekday_fallback": ("按周一至周五计算", "Monday–Friday only"),
    "metrics.calendar.fallback_note": (
        "注意：{years} 年没有法定节假日数据，工作日按周一至周五计算。可在节假日文件中补充。",
        "Note: no official holiday data for {years}; working days are counted Monday–Friday. Add them to the holidays file.",
    ),
    "metrics.progress.read": ("读取数据", "Reading the tables"),
    "metrics.progress.latency": ("计算审批用时", "Computing approval latency"),
    "metrics.progress.rules": ("检查规定执行情况", "Checking the rules"),
    "metrics.progress.write": ("写入统计表", "Writing the marts"),
    "metrics.progress.batch": (
        "计算审批事项 第 {batch}/{batches} 批（{steps} 个环节）",
        "Computing matters, batch {batch} of {batches} ({steps} steps)",
    ),
    "metrics.progress.cases": ("计算案件审限", "Computing the cases' statutory clock"),
    "metrics.progress.done": ("统计完成", "Marts built"),
    # text report
    "report.title": ("执行管理层级运行情况", "Tiered responsibility: headline figures"),
    "report.snapshot": ("数据截至：{at}", "Data as of: {at}"),
    "report.month": ("统计月份：{month}", "Month: {month}"),
    "report.all_months": ("统计范围：全部月份", "Period: all months"),
    "report.bad_month": ("月份 {month} 格式有误，应为 YYYY-MM", "Month {month} is not of the form YYYY-MM"),
    "report.no_data": ("库中没有审批数据。", "The store has no approval data."),
    "report.matters": (
        "审批事项 {matters} 件，已办结 {closed} 件（同意 {approved} 件）；待办环节 {pending} 个，其中超期 {red} 个、预警 {yellow} 个。",
        "{matters} matters, {closed} closed ({approved} approved); {pending} pending steps, {red} over the limit, {yellow} on warning.",
    ),
    "report.level_header": ("各层级审批用时", "Approval latency by level"),
    "report.level_row": (
        "{level}：{steps} 个环节，中位 {median_hours} 小时（{median_workdays} 个工作日），P90 {p90_hours} 小时，超期占比 {over}",
        "{level}: {steps} steps, median {median_hours} h ({median_workdays} working days), p90 {p90_hours} h, {over} over the limit",
    ),
    "report.violations_header": ("规定执行问题（共 {total} 条，每百条记录 {per_100} 条）", "Findings ({total}, {per_100} per 100 records)"),
    "report.violation_row": ("{rule}（第{article}条）{title}：{count} 条", "{rule} (Art. {article}) {title}: {count}"),
    "report.no_violations": ("未发现问题。", "No findings."),
    "report.substitutions": (
        "岗位职责替补 {total} 次，共 {person_days} 人日；代行审批占已办环节的 {acting_share}。",
        "{total} duty substitutions, {person_days} person-days; acting-for steps are {acting_share} of decided steps.",
    ),
    "report.meetings": (
        "局务会议议题 {items} 个：分管副院长决定 {tie_breaks} 个，报请决定 {escalations} 个。",
        "{items} bureau meeting items: {tie_breaks} decided by the VP, {escalations} escalated.",
    ),
}
