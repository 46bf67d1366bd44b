"""Dashboard text (issue 4): navigation, sidebar, captions, axis titles, column headers, page text."""

MESSAGES = {
    # navigation
    "nav.overview": ("总览", "Overview"),
    "nav.latency": ("审批时效", "Latency"),
    "nav.bottlenecks": ("瓶颈", "Bottlenecks"),
    "nav.substitutions": ("岗位替补", "Substitutions"),
    "nav.meetings": ("会议决策", "Meetings"),
    "nav.regulation": ("规定对照", "Regulation"),
    "nav.data": ("数据管理", "Data"),
    # sidebar and filters
    "sidebar.filters": ("筛选", "Filters"),
    "sidebar.snapshot": ("数据截至 {snapshot}", "Data as of {snapshot}"),
    "sidebar.mask": ("导出时隐去姓名", "Mask names in exports"),
    "sidebar.mask.help": (
        "下载的图表和表格中，人员姓名以工号或姓名首字母代替。",
        "Downloaded charts and tables show staff ids or initials instead of names.",
    ),
    "sidebar.mask.none": ("不隐去", "Show names"),
    "sidebar.mask.id": ("以工号代替", "Staff id"),
    "sidebar.mask.initials": ("以首字母代替", "Initials"),
    "filter.period": ("期间（月）", "Period (months)"),
    "filter.division": ("分管部门", "Division"),
    "filter.team": ("团队", "Team"),
    "filter.matter_type": ("审批事项", "Matter type"),
    "filter.level": ("审批层级", "Approval level"),
    "filter.all": ("全部", "All"),
    "describe.month": ("{month}", "{month}"),
    "describe.period": ("{start} 至 {end}", "{start} to {end}"),
    "describe.division": ("部门：{values}", "division: {values}"),
    "describe.team": ("团队：{values}", "team: {values}"),
    "describe.matter_type": ("事项：{values}", "matter type: {values}"),
    "describe.level": ("层级：{values}", "level: {values}"),
    "describe.all": ("全部数据", "all data"),
    "caption.template": ("范围：{filters}。数据截至 {snapshot}。", "Scope: {filters}. Data as of {snapshot}."),
    # empty store
    "guide.missing": (
        "还没有数据仓库（{db}）。请先导入执行局的导出数据，或生成演示数据。",
        "There is no data store yet ({db}). Load the bureau's exports first, or build the demo data.",
    ),
    "guide.empty": (
        "数据仓库（{db}）中还没有可分析的审批数据。请导入执行局的导出数据。",
        "The data store ({db}) holds no approval data to analyse yet. Load the bureau's exports.",
    ),
    "guide.steps": (
        (
            "1. 在 **数据管理** 页下载导入模板，或直接使用案件系统的导出文件（人员名册、案件、审批记录、替补记录、会议、会议议题）；\n"
            "2. 在 **数据管理** 页一次上传全部文件，查看校验报告后点击 **导入**；\n"
            "3. 或在命令行生成演示数据："
        ),
        (
            "1. On the **Data** page download the import template, or use the case system's exports (staff roster, "
            "cases, approval steps, duty substitutions, meetings, meeting items);\n"
            "2. Upload all files at once on the **Data** page, read the validation report, then press **Load**;\n"
            "3. Or build the demo data from the command line:"
        ),
    ),
    "guide.to_data": ("前往数据管理", "Go to the Data page"),
    "guide.stale": (
        (
            "数据仓库（{db}）中的数据已导入，但统计表由旧版本生成，缺少本版本需要的表。"
            "无需重新导入：在服务器上运行下面的命令重新计算（`make run` 启动时会自动执行），然后刷新本页。"
        ),
        (
            "The data store ({db}) holds loaded data, but its derived tables were built by an older version and "
            "some this version reads are missing. No need to load again: run the command below on the server "
            "to recompute them (`make run` does it when it starts), then reload this page."
        ),
    ),
    # tables
    "table.no_rows": ("（无记录）", "(no rows)"),
    "chart.no_records": ("无记录：所选范围内没有可绘制的数据。", "No records: nothing to draw for this selection."),
    "table.page": ("页码（共 {pages} 页）", "Page (of {pages})"),
    "table.rows": ("第 {first}–{last} 条，共 {total} 条", "Rows {first}–{last} of {total}"),
    "metric.vs_previous": ("{delta} 较上期", "{delta} vs previous"),
    # tiers, families, directions
    "tier.OK": ("正常", "On time"),
    "tier.YELLOW": ("黄色预警", "Yellow"),
    "tier.RED": ("红色预警（超时）", "Red (over limit)"),
    "family.approval": ("审批层级", "Approval levels"),
    "family.substitution": ("岗位替补", "Substitutions"),
    "family.meeting": ("会议决策", "Meetings"),
    "family.other": ("其他", "Other"),
    "direction.FORWARD": ("顺向", "Forward"),
    "direction.EQUAL": ("同级", "Same rank"),
    "direction.REVERSE": ("逆向", "Reverse"),
    "chart.submitted": ("提交", "Submitted"),
    "unit.hours": ("小时", "hours"),
    "unit.workdays": ("工作日", "working days"),
    "calendar.package": ("官方节假日（chinese-calendar）", "Official calendar (chinese-calendar)"),
    "calendar.file": ("用户节假日文件", "User holidays file"),
    "calendar.weekday_fallback": ("仅按周一至周五推算（缺少官方数据）", "Mon–Fri only (no official data)"),
    # axis titles (with units)
    "axis.month": ("月份", "Month"),
    "axis.date": ("日期", "Date"),
    "axis.level": ("审批层级", "Approval level"),
    "axis.family": ("规则类别", "Rule family"),
    "axis.tier": ("预警", "Warning"),
    "axis.direction": ("替补方向", "Direction"),
    "axis.steps": ("审批环节（个）", "Approval steps (count)"),
    "axis.p10": ("P10", "P10"),
    "axis.p25": ("P25", "P25"),
    "axis.p50": ("中位数", "Median"),
    "axis.p75": ("P75", "P75"),
    "axis.p90": ("P90", "P90"),
    "axis.latency_unit": ("审批用时（{unit}）", "Approval time ({unit})"),
    "axis.median_hours": ("审批用时中位数（小时）", "Median approval time (hours)"),
    "axis.median_workdays": ("审批用时中位数（工作日）", "Median approval time (working days)"),
    "axis.p90_hours": ("审批用时P90（小时）", "P90 approval time (hours)"),
    "axis.over_limit_share": ("超时限比例（%）", "Share over limit (%)"),
    "axis.approved_matters": ("审批通过事项（件）", "Approved matters (count)"),
    "axis.findings": ("违规发现（条）", "Findings (count)"),
    "axis.escalation_rate": ("局务会议议题上报率（%）", "Bureau-meeting escalation rate (%)"),
    "axis.pending_steps": ("待办环节（个）", "Pending steps (count)"),
    "axis.median_age_hours": ("已等待中位数（小时）", "Median age (hours)"),
    "axis.max_age_hours": ("最长等待（小时）", "Longest wait (hours)"),
    "axis.decided_steps": ("已办理环节（个）", "Decided steps (count)"),
    "axis.person": ("人员", "Person"),
    "axis.from_level": ("来自", "From"),
    "axis.to_level": ("流向", "To"),
    "axis.median_wait_hours": ("在流向层级等待中位数（小时）", "Median wait at the target (hours)"),
    "axis.wait_hours": ("等待时间合计（小时）", "Total waiting time (hours)"),
    "axis.cumulative_share": ("累计占比（%）", "Cumulative share (%)"),
    "axis.approver": ("审批人", "Approver"),
    "axis.substitutions": ("替补（次）", "Substitutions (count)"),
    "axis.person_days": ("替补人日（天）", "Person-days covered (days)"),
    "axis.team": ("团队", "Team"),
    "axis.post_pair": ("岗位对（被替补→替补）", "Post pair (absent → substitute)"),
    "axis.absent_person": ("被替补人", "Absent person"),
    "axis.absent_post": ("被替补人岗位", "Absent person's post"),
    "axis.substitute": ("替补人", "Substitute"),
    "axis.substitute_post": ("替补人岗位", "Substitute's post"),
    "axis.start": ("开始", "Start"),
    "axis.end": ("结束", "End"),
    "axis.days": ("天数（天）", "Days"),
    "axis.authorized": ("授权代行", "Authorised"),
    "axis.acting_share": ("代行审批占比（%）", "Share of steps acting for another (%)"),
    "axis.outcome": ("决议方式", "Outcome"),
    "axis.items": ("议题（个）", "Items (count)"),
    "axis.meeting_type": ("会议类型", "Meeting type"),
    "axis.meeting": ("会议", "Meeting"),
    "axis.held_on": ("召开日期", "Held on"),
    "axis.escalations": ("上报（个）", "Escalations (count)"),
    "axis.tie_breaks": ("分管副院长决定（个）", "Decided by the VP (count)"),
    "axis.days_to_decision": ("会后至最终决定（天）", "Days from meeting to final decision"),
    "axis.item": ("议题编号", "Item"),
    "axis.topic": ("议题", "Topic"),
    "axis.decided_on": ("最终决定日期", "Final decision on"),
    "axis.rule": ("规则", "Rule"),
    "axis.matter_type": ("审批事项", "Matter type"),
    "axis.division": ("分管部门", "Division"),
    "axis.tie_break_rate": ("分管副院长决定比例（%）", "Share decided by the VP (%)"),
    # column headers
    "col.level": ("审批层级", "Level"),
    "col.steps": ("环节数", "Steps"),
    "col.median_hours": ("中位数（小时）", "Median (h)"),
    "col.p90_hours": ("P90（小时）", "P90 (h)"),
    "col.mean_hours": ("平均（小时）", "Mean (h)"),
    "col.max_hours": ("最长（小时）", "Max (h)"),
    "col.median_workdays": ("中位数（工作日）", "Median (wd)"),
    "col.p90_workdays": ("P90（工作日）", "P90 (wd)"),
    "col.limit_workdays": ("时限（工作日）", "Limit (wd)"),
    "col.over_limit_share": ("超时限比例", "Over limit"),
    "col.key": ("分组", "Group"),
    "col.name": ("姓名", "Name"),
    "col.approver_id": ("审批人工号", "Approver id"),
    "col.approver_name": ("审批人", "Approver"),
    "col.pending": ("待办", "Pending"),
    "col.red": ("红色预警", "Red"),
    "col.yellow": ("黄色预警", "Yellow"),
    "col.max_age_hours": ("最长等待（小时）", "Longest wait (h)"),
    "col.max_age_workdays": ("最长等待（工作日）", "Longest wait (wd)"),
    "col.matter_id": ("审批单号", "Matter id"),
    "col.step_no": ("环节", "Step"),
    "col.case_id": ("案号", "Case no."),
    "col.team": ("团队", "Team"),
    "col.division": ("分管部门", "Division"),
    "col.matter_type": ("审批事项", "Matter type"),
    "col.received_at": ("到达时间", "Received at"),
    "col.age_hours": ("已等待（小时）", "Age (h)"),
    "col.age_workdays": ("已等待（工作日）", "Age (wd)"),
    "col.used_share": ("时限已用", "Limit used"),
    "col.warning_tier": ("预警", "Warning"),
    "col.rule_id": ("规则", "Rule"),
    "col.article": ("条款", "Article"),
    "col.record_kind": ("记录类型", "Record kind"),
    "col.record_id": ("记录编号", "Record id"),
    "col.occurred_at": ("发生时间", "Occurred at"),
    "col.month": ("月份", "Month"),
    "col.detail": ("说明", "Detail"),
    "col.people": ("涉及人员", "People"),
    "col.findings": ("发现（条）", "Findings"),
    "col.records": ("检查记录数", "Records judged"),
    "col.per_100": ("每百条记录", "Per 100 records"),
    "col.title": ("规则名称", "Rule title"),
    "col.substitutions": ("替补次数", "Substitutions"),
    "col.person_days": ("替补人日", "Person-days"),
    "col.post_pair": ("岗位对", "Post pair"),
    "col.absent_name": ("被替补人", "Absent"),
    "col.substitute_name": ("替补人", "Substitute"),
    "col.start_at": ("开始", "Start"),
    "col.end_at": ("结束", "End"),
    "col.direction": ("方向", "Direction"),
    "col.authorized": ("授权代行", "Authorised"),
    "col.scope": ("范围", "Scope"),
    "col.days": ("天数", "Days"),
    "col.meeting_id": ("会议编号", "Meeting id"),
    "col.held_on": ("召开日期", "Held on"),
    "col.meeting_type": ("会议类型", "Meeting type"),
    "col.items": ("议题数", "Items"),
    "col.escalated": ("上报", "Escalated"),
    "col.tie_breaks": ("分管副院长决定", "Decided by the VP"),
    "col.item_id": ("议题编号", "Item id"),
    "col.topic": ("议题", "Topic"),
    "col.outcome": ("决议方式", "Outcome"),
    "col.decided_on": ("最终决定日期", "Final decision on"),
    "col.days_to_decision": ("至最终决定（天）", "Days to decision"),
    "col.decided": ("已办理", "Decided"),
    "col.source": ("来自", "From"),
    "col.target": ("流向", "To"),
    "col.wait_hours": ("等待合计（小时）", "Waiting (h)"),
    "col.cumulative_share": ("累计占比", "Cumulative share"),
    "col.year": ("年份", "Year"),
    "col.source_kind": ("工作日依据", "Working-day source"),
    "col.table": ("数据表", "Table"),
    "col.rows": ("行数", "Rows"),
    "col.acting_share": ("代行占比", "Acting share"),
    "col.acting_steps": ("代行环节", "Acting steps"),
    "col.decided_steps": ("已办理环节", "Decided steps"),
    # overview
    "overview.title": ("总览", "Overview"),
    "overview.intro": (
        "执行局在所选期间的审批效率与规定执行情况，箭头为与上一等长期间的比较。",
        (
            "How fast the bureau was and how well it kept its rules in the chosen period; arrows compare with "
            "the period of equal length just before."
        ),
    ),
    "overview.period_note": ("{now}", "{now}"),
    "metric.approved_matters": ("审批通过事项", "Approved matters"),
    "metric.median_hours": ("审批环节用时中位数（小时）", "Median step time (hours)"),
    "metric.within_limit_share": ("按时办结率（审批环节）", "Steps within limit"),
    "metric.within_limit_share.help": (
        ("在本层级办理时限内办结的审批环节所占比例（按工作日计；时限：{limits}）。"
        "各层级环节数量此消彼长时，全部环节合在一起的用时中位数会随之升降，而本比例只在某一层级确实变快或变慢时变化；"
        "各层级的用时中位数见下方。"),
        ("Share of approval steps decided within their level's limit (working days; limits: {limits}). The "
        "median of all steps together rises and falls when the mix of quick and slow levels shifts; this share "
        "changes only when a level really got faster or slower. Each level's median is below."),
    ),
    "metric.within_limit.level": ("{level} {days:g} 个工作日", "{level} {days:g} working days"),
    "metric.overdue_pending": ("超时待办环节（当前）", "Overdue steps (now)"),
    "metric.overdue_pending.help": (
        "截至数据时点的待办环节共 {pending} 个，其中黄色预警 {yellow} 个；此处为超过时限（红色）的环节。",
        "{pending} steps pending at the snapshot, {yellow} yellow; this figure counts those over the limit (red).",
    ),
    "metric.findings_per_100": ("每百条记录违规发现", "Findings per 100 records"),
    "metric.findings_per_100.help": (
        (
            "期间内违规发现 {findings} 条，检查记录（已结事项、替补、会议、议题）{records} 条。"
            "按部门或团队筛选时，会议和议题属于全局记录，不计入。"
        ),
        (
            "{findings} findings over {records} records judged (closed matters, substitutions, meetings, items). "
            "With a division or team filter, meetings and their items (bureau-wide records) are not counted."
        ),
    ),
    "metric.substitutions": ("岗位替补（次）", "Substitutions"),
    "metric.escalation_rate": ("局务会议议题上报率", "Escalation rate"),
    "metric.escalation_rate.help": (
        "期间内局务会议议题 {items} 个。",
        "Share of the bureau meeting's items escalated; {items} bureau-meeting items in the period.",
    ),
    "metric.level_median.help": ("{steps} 个环节，P90 {p90:,.1f} 小时", "{steps} steps, P90 {p90:,.1f} h"),
    "overview.level_median": ("各审批层级用时中位数（小时）", "Median step time per level (hours)"),
    "overview.trends": ("月度趋势（近12个月）", "Monthly trends (last 12 months)"),
    "overview.chart.approved": ("审批通过事项（按月）", "Approved matters per month"),
    "overview.chart.findings": ("违规发现（按月、规则类别）", "Findings per month and rule family"),
    "overview.chart.latency": ("审批用时中位数（按月、层级）", "Median step time per month and level"),
    "overview.chart.escalation": ("局务会议议题上报率（按月）", "Bureau-meeting escalation rate per month"),
    "overview.attention": ("需要关注", "Needs attention"),
    "overview.worst_rules": ("发现最多的三条规则", "Three rules with most findings"),
    "overview.no_findings": ("期间内没有违规发现。", "No findings in the period."),
    "overview.rule_line": ("`{rule}` {title}：**{findings}** 条（第{article}条）", "`{rule}` {title}: **{findings}** (Art. {article})"),
    "overview.open_rule": ("查看规定与记录", "See the article and records"),
    "overview.slowest_levels": ("最慢的三个审批层级", "Three slowest levels"),
    "overview.level_line": ("{level}：中位数 **{median:,.1f}** 小时，超时限 {share:.0%}", "{level}: median **{median:,.1f}** h, {share:.0%} over limit"),
    "overview.open_latency": ("查看审批时效", "See approval latency"),
    "overview.slowest_people": ("最慢的三位审批人", "Three slowest approvers"),
    "overview.person_line": ("{name}（{level}）：中位数 **{median:,.1f}** 小时，{steps} 个环节", "{name} ({level}): median **{median:,.1f}** h over {steps} steps"),
    "overview.open_bottlenecks": ("查看瓶颈", "See bottlenecks"),
    # data page
    "data.title": ("数据管理", "Data"),
    "data.intro": (
        "上传案件系统的导出文件（可一次选择多个），校验无误后导入；导入是整体的：有任何问题则不改动现有数据。",
        (
            "Upload the case system's exports (several at once); load them once they validate. A load is all or "
            "nothing: on any problem the store stays as it was."
        ),
    ),
    "data.upload": ("上传导出文件", "Upload exports"),
    "data.uploader": ("选择文件（CSV、XLSX、Parquet）", "Choose files (CSV, XLSX, Parquet)"),
    "data.uploader.help": (
        "文件名或工作表名需包含表名，例如 审批记录_2024-06.csv、人员名册.xlsx。",
        "File or sheet names must name the table, e.g. approvals_2024-06.csv, staff.xlsx.",
    ),
    "data.validating": ("正在校验…", "Validating…"),
    "data.valid": ("校验通过，可以导入。", "The files are valid and ready to load."),
    "data.invalid": ("校验发现 {n} 个问题，请修正后重新上传。", "{n} problems found; fix them and upload again."),
    "data.unrecognised": (
        "未能识别任何数据表：文件名须恰好含有一个表名（见下方报告中的表名），请改名后重新上传。",
        ("No file was recognised as a table: a file name must contain exactly one table's name (the names are in "
        "the report below); rename the files and upload them again."),
    ),
    "data.report": ("校验报告", "Validation report"),
    "data.load": ("导入", "Load"),
    "data.loading": ("正在导入…", "Loading…"),
    "data.loaded": ("导入完成", "Loaded"),
    "data.loaded_rows": ("导入完成：{rows}", "Loaded: {rows}"),
    "data.load_failed": ("导入失败，现有数据未改动。", "The load failed; the store is unchanged."),
    "data.see_overview": ("查看总览", "See the overview"),
    "data.template": ("导入模板", "Import template"),
    "data.template.help": (
        "Excel 模板：每张表一个工作表，中文表头，枚举列带下拉选项。",
        "Excel template: one sheet per table, Chinese headers, drop-downs for coded columns.",
    ),
    "data.template.download": ("下载导入模板", "Download the import template"),
    "data.template.file": ("导入模板.xlsx", "import-template.xlsx"),
    "data.history": ("导入记录", "Load history"),
    "data.contents": ("数据内容", "What the store holds"),
    "data.calendar": ("工作日日历覆盖年份", "Working-day calendar coverage"),
    "data.calendar.help": (
        "“仅按周一至周五推算”的年份缺少官方节假日安排，工作日数可能有偏差；可在数据仓库旁放置节假日文件补充。",
        (
            "Years marked Mon–Fri only lack the official holiday schedule, so working-day counts may be off; "
            "add a holidays file beside the store."
        ),
    ),
}

MESSAGES.update({
    "kind.matter": ("审批事项", "Matter"),
    "kind.substitution": ("替补", "Substitution"),
    "kind.meeting": ("会议", "Meeting"),
    "kind.meeting_item": ("会议议题", "Meeting item"),
    "kind.case": ("案件", "Case"),
    "kind.month": ("月份", "Month"),
    # latency
    "latency.title": ("审批时效", "Approval latency"),
    "latency.intro": (
        "已办理环节从到达至办理的用时：各层级的分布（中位数、P90，而非只看平均数）、按月趋势、按事项、部门和团队，以及超过本层级时限的比例。",
        (
            "Time from arrival to decision of decided steps: distribution per level (median and P90, not only the mean), "
            "monthly trend, by matter type, division and team, and the share over the level's limit."
        ),
    ),
    "latency.unit": ("单位", "Unit"),
    "latency.distribution": ("各层级审批用时分布（P10–P90，方框为P25–P75，白线为中位数）", "Approval time per level (P10–P90; box P25–P75; white line = median)"),
    "latency.over_limit": ("超过本层级时限的比例", "Share over the level's limit"),
    "latency.by_level_table": ("各层级审批用时", "Approval time per level"),
    "latency.trend": ("审批用时中位数（按月、层级）", "Median approval time per month and level"),
    "latency.by_dimension": ("审批用时中位数（分组）", "Median approval time by group"),
    # bottlenecks
    "bottlenecks.title": ("瓶颈", "Bottlenecks"),
    "bottlenecks.intro": (
        "当前待办积压在哪个层级、哪位审批人；审批量与速度；事项在层级间的流转和各环节等待；期间等待时间主要耗在哪里。待办按数据时点计算，不受期间筛选影响。",
        (
            "Where pending approvals pile up now, at which level and with whom; workload vs. speed; how matters flow "
            "between levels and wait at each; where the period's waiting time went. Pending figures are at the data "
            "snapshot and ignore the period filter."
        ),
    ),
    "bottlenecks.pending": ("当前待办环节（按层级、预警）", "Pending steps now (by level and warning)"),
    "bottlenecks.pending_rows": ("待办环节明细（时限使用比例从高到低）", "Pending steps (most of their limit used first)"),
    "bottlenecks.workload": ("审批量与审批速度（点的大小为当前待办数）", "Workload vs. speed (dot size = pending now)"),
    "bottlenecks.flow": ("层级间流转（格内数字为在流向层级等待的中位数，小时）", "Flow between levels (cell text = median wait at the target, hours)"),
    "bottlenecks.flow.help": (
        "每个格子是事项从一个层级（或提交）流向下一个层级的环节数；颜色越深流量越大。",
        "Each cell counts steps that followed a step at the row's level (or the submission); darker = more steps.",
    ),
    "bottlenecks.pareto": ("期间等待时间去向（帕累托）", "Where the period's waiting time went (Pareto)"),
    "bottlenecks.pareto_person": ("按审批人", "By approver"),
    "bottlenecks.pareto_level": ("按层级", "By level"),
    # substitutions
    "subs.title": ("岗位替补", "Duty substitutions"),
    "subs.intro": (
        "岗位职责替补的频次（按月、团队、岗位对），谁替补了谁，代行审批的占比，以及第十二条相关的全部发现。",
        (
            "How often duties are covered (by month, team and post pair), who covered whom, the share of approvals "
            "taken acting for another, and every Art. 12 finding."
        ),
    ),
    "subs.person_days": ("替补人日", "Person-days covered"),
    "subs.acting_share": ("代行审批占比", "Acting-for share of approvals"),
    "subs.by_month": ("替补次数（按月、方向）", "Substitutions per month and direction"),
    "subs.acting": ("代行审批占比（按月、层级）", "Approvals acting for another (per month and level)"),
    "subs.by_team": ("替补次数（按团队）", "Substitutions per team"),
    "subs.by_pair": ("替补次数（按岗位对）", "Substitutions per post pair"),
    "subs.timeline": ("谁替补了谁（时间轴）", "Who covered whom (timeline)"),
    "subs.timeline.help": ("显示最近的 {n} 次替补；未填结束时间的延续到数据时点。", "The latest {n} substitutions; open-ended ones run to the data snapshot."),
    "subs.findings": ("第十二条相关发现", "Art. 12 findings"),
    # meetings
    "meetings.title": ("会议决策", "Meetings"),
    "meetings.intro": (
        "局务会议和团队长联席会议的议题数、决议方式、上报率趋势，上报议题从开会到最终决定的天数，以及第四、五条相关的全部发现。",
        (
            "Items per meeting, outcomes, the escalation-rate trend, days from meeting to final decision for escalated "
            "items, and every Art. 4 and 5 finding."
        ),
    ),
    "meetings.meetings": ("会议（次）", "Meetings"),
    "meetings.bureau_items": ("局务会议议题", "Bureau-meeting items"),
    "meetings.items_per_meeting": ("每次会议的议题数", "Items per meeting"),
    "meetings.outcomes": ("决议方式", "Outcomes"),
    "meetings.rates": ("局务会议：分管副院长决定与上报比例（按月）", "Bureau meetings: VP-decided and escalation rates per month"),
    "meetings.rate": ("比例（%）", "Rate (%)"),
    "meetings.measure": ("指标", "Measure"),
    "meetings.days_to_decision": ("上报议题：会后至最终决定的天数", "Escalated items: days from meeting to final decision"),
    "meetings.escalated_items": ("上报议题明细", "Escalated items"),
    "meetings.findings": ("第四、五条相关发现", "Art. 4 and 5 findings"),
    # regulation
    "reg.title": ("规定对照", "Regulation"),
    "reg.intro": (
        "宛法〔2023〕123号逐条原文，每条下列出检查该条的规则、期间内的发现数和趋势，可逐条查看违规记录。",
        (
            "The regulation article by article (English rendering; the Chinese text is authoritative); under each article "
            "the rules that check it, their findings and trend, down to the records."
        ),
    ),
    "reg.article_heading": ("第{no}条【{title}】", "Article {no} [{title}]"),
    "reg.article_findings": ("{rules} 条规则，{findings} 条发现", "rules: {rules}, findings: {findings}"),
    "reg.original": ("中文原文：", "Chinese original:"),
    "reg.no_rules": ("本条没有对应的数据检查规则。", "No data rule checks this article."),
    "reg.trend": ("第{no}条相关发现（按月）", "Art. {no} findings per month"),
    "reg.open_records": ("查看 {rule} 的违规记录", "Records of {rule}"),
    "reg.drill": ("查看某条规则的违规记录", "Show the records of a rule"),
    "reg.drill.placeholder": ("选择规则…", "Choose a rule…"),
    "reg.drill.summary": (
        "**{rule}** {title}（第{article}条）：期间内 **{findings}** 条发现，每百条记录 {per_100:,.2f} 条。",
        "**{rule}** {title} (Art. {article}): **{findings}** findings in the period, {per_100:,.2f} per 100 records.",
    ),
    "reg.rule_line": ("`{rule}` {title}：{findings} 条", "`{rule}` {title}: {findings}"),
})

# monthly report download (Overview page) — appended
MESSAGES.update({
    "overview.monthly": ("月度报告（Word）", "Monthly report (Word)"),
    "overview.monthly.help": (
        "按所选月份和当前筛选条件（部门、团队、事项类型、层级）生成中文 .docx 月报，可直接粘贴到 Word/WPS；侧栏“导出时隐去姓名”同样适用。",
        (
            "A .docx report for the chosen month under the current filters (division, team, matter type, level), "
            "ready for Word/WPS; the sidebar's name masking applies too."
        ),
    ),
    "overview.monthly.month": ("月份", "Month"),
    "overview.monthly.make": ("生成月报", "Make the report"),
    "overview.monthly.making": ("正在生成月报…", "Making the report…"),
    "overview.monthly.download": ("下载 {month} 月报", "Download the {month} report"),
    "overview.monthly.file": ("月报_{month}.docx", "monthly-report-{month}.docx"),
})
