"""Dashboard text of issue 12: period presets, previous values and targets, drill-down to the records behind a
figure, the list of all findings, who covered for whom, why a meeting item escalated."""

MESSAGES = {
    # period presets (relative to the data's snapshot month, never the wall clock)
    "preset.label": ("快捷期间", "Quick periods"),
    "preset.last_month": ("上月", "Last month"),
    "preset.last_quarter": ("上季度", "Last quarter"),
    "preset.this_year": ("本年", "This year"),
    "preset.last_year": ("去年同期", "Same period last year"),
    "preset.help": (
        "以数据截至月份（{snapshot}）为准：{start} 至 {end}",
        "From the data's snapshot month ({snapshot}): {start} to {end}",
    ),
    "preset.unavailable": (
        "数据中没有这段期间（{start} 至 {end}）",
        "The data has no such period ({start} to {end})",
    ),
    # headline figures: previous value, targets
    "metric.previous": ("上期 {value}", "previous {value}"),
    "metric.year_ago": ("同比 {change}（去年同期 {value}）", "YoY {change} (a year ago {value})"),
    "metric.no_change": ("持平", "no change"),
    "target.met": ("达标（目标 ≤ {target}）", "On target (≤ {target})"),
    "target.missed": ("未达标（目标 ≤ {target}）", "Off target (≤ {target})"),
    "target.settings_error": (
        "设置文件有误，目标按默认值显示：{error}",
        "The settings file has an error; targets show their defaults: {error}",
    ),
    "settings.section.targets": (
        "总览页各项指标的目标（局里自定，不是规定的要求）：指标不超过目标即为达标。改动后刷新页面即生效，无需重建。",
        ("Targets of the Overview's headline figures (the bureau's own goals, not the regulation's): a figure at or "
        "under its target is on target. A change shows on the next page view; no rebuild is needed."),
    ),
    "settings.help.targets.median_step_hours": (
        ("审批环节用时中位数（小时）的目标上限。总览已改以按时办结率为审批时效的首要指标（全部环节的中位数随各层级环节"
         "多少此消彼长而升降），此目标暂不在总览显示，保留以免已有设置文件失效。"),
        ("Target: the most the median hours of an approval step should be. The Overview now leads with the share "
         "of steps within their level's limit (the all-steps median moved with the mix of levels), so this target "
         "is not shown there; it is kept so that existing settings files stay valid."),
    ),
    "settings.help.targets.findings_per_100": (
        "每百条记录违规发现数的目标上限。",
        "Target: the most findings per 100 judged records there should be.",
    ),
    "settings.help.targets.escalation_rate": (
        "局务会议议题上报率的目标上限（0 至 1 之间的比例，如 0.1 为 10%）。",
        "Target: the highest share of bureau meeting items escalated (between 0 and 1; 0.1 is 10%).",
    ),
    # drill-down
    "drill.hint": (
        "点击图中的柱、点或表格中的行，可查看其背后的记录；双击图表空白处取消。",
        "Click a bar, a point or a table row to see the records behind it; double-click the chart to clear.",
    ),
    "drill.title": ("所选：{what}（共 {total} 条记录）", "Selected: {what} ({total} records)"),
    "drill.clear": ("关闭", "Close"),
    "drill.kind.steps": ("审批环节", "approval steps"),
    "drill.kind.pending": ("待办环节", "pending steps"),
    "drill.kind.matters": ("审批通过事项", "approved matters"),
    "drill.kind.substitutions": ("替补记录", "substitutions"),
    "drill.kind.meeting_items": ("会议议题", "meeting items"),
    "drill.kind.findings": ("违规发现", "findings"),
    "drill.kind.cases": ("案件", "cases"),
    "drill.open": ("未结", "open"),
    "drill.closed": ("已结", "closed"),
    "drill.over_limit": ("超过时限", "over the limit"),
    "drill.acting": ("代行审批", "acting for someone"),
    "drill.escalated": ("已上报", "escalated"),
    # all findings
    "nav.findings": ("全部违规发现", "All findings"),
    "findings.title": ("全部违规发现", "All findings"),
    "findings.intro": (
        "所选期间、部门和团队的每一条违规发现，可按规则、条文、记录编号或说明搜索，可导出全部结果。",
        ("Every rule finding of the chosen period, division and team; search by rule, article, record id or "
        "detail, and export all results."),
    ),
    "findings.search": ("搜索", "Search"),
    "findings.search.placeholder": ("规则、条文、记录编号、说明中的文字…", "Text in the rule, article, record id or detail…"),
    "findings.family": ("规则类别", "Rule family"),
    "findings.rule": ("规则", "Rule"),
    "findings.export_title": ("违规发现", "Findings"),
    # substitutions: who covered for whom
    "subs.who_for_whom": ("谁替补了谁", "Who covered for whom"),
    "subs.who_for_whom.help": (
        "所选期间的每一次替补：缺位人员、替补人员、起止时间、是否经授权、方向与范围。",
        ("Every substitution of the period: who was absent, who covered, from when to when, whether authorised, "
        "direction and scope."),
    ),
    # meetings: why an item escalated
    "col.escalation_reason": ("上报依据", "Why escalated"),
    "meetings.reason.votes": (
        "表决：赞成 {for_} · 反对 {against} · 弃权 {abstain}",
        "Votes: {for_} for · {against} against · {abstain} abstaining",
    ),
    "meetings.reason.majority": ("多数意见：{majority}", "majority: {majority}"),
    "meetings.reason.no_majority": ("未形成多数", "no majority"),
    "meetings.reason.vp": ("分管副院长：{position}", "VP: {position}"),
    "meetings.reason.chief": ("局长：{position}", "chief: {position}"),
    "meetings.reason.dissent": ("（与多数不同）", " (differs from the majority)"),
    "meetings.reason.major": ("重大事项", "major item"),
    "meetings.reason.not_major": ("非重大事项", "not a major item"),
    "meetings.reason.grounded": (
        "符合第五条上报条件", "meets Art. 5's conditions for escalation",
    ),
    "meetings.reason.not_grounded": (
        "不符合第五条上报条件", "does not meet Art. 5's conditions for escalation",
    ),
    "meetings.reason.sep": ("；", "; "),
    # column headers of the records behind a figure
    "col.acting_for": ("代行（被替补人）", "Acting for"),
    "col.decided_at": ("办理时间", "Decided at"),
    "col.decision": ("审批意见", "Decision"),
    "col.latency_hours": ("用时（小时）", "Hours taken"),
    "col.latency_workdays": ("用时（工作日）", "Working days taken"),
    "col.over_limit": ("超过时限", "Over the limit"),
    "col.submitted_at": ("提交时间", "Submitted at"),
    "col.final_level": ("最终审批层级", "Final level"),
    "col.final_approver_name": ("最终审批人", "Final approver"),
    "col.final_acting_for": ("最终审批代行", "Final approver acting for"),
    "col.final_decided_at": ("最终审批时间", "Final decision at"),
    "col.lead_time_hours": ("全程用时（小时）", "Lead time (hours)"),
    "col.lead_time_workdays": ("全程用时（工作日）", "Lead time (working days)"),
    "col.substitution_id": ("替补编号", "Substitution id"),
    "col.absent_post": ("缺位人员岗位", "Absent person's post"),
    "col.substitute_post": ("替补人员岗位", "Substitute's post"),
    "col.decider_name": ("决定人", "Decided by"),
    "col.reason": ("事由", "Reason"),
    "col.chair_name": ("主持人", "Chair"),
    "col.is_major": ("重大事项", "Major item"),
    "col.votes_for": ("赞成", "For"),
    "col.votes_against": ("反对", "Against"),
    "col.votes_abstain": ("弃权", "Abstaining"),
    "col.majority": ("多数意见", "Majority"),
    "col.vp_position": ("分管副院长意见", "VP's position"),
    "col.chief_position": ("局长意见", "Chief's position"),
    "col.vp_dissents": ("副院长与多数不同", "VP differs from majority"),
    "col.chief_dissents": ("局长与多数不同", "Chief differs from majority"),
    "col.tie_break": ("分管副院长决定", "Decided by the VP"),
    "col.mean_workdays": ("平均（工作日）", "Mean (wd)"),
    "col.days_to_close": ("结案用时（天）", "Days to close"),
    "col.days_late": ("超期（天）", "Days late"),
    "col.clock_tier": ("审限状态", "Statutory term"),
    "col.over_limit_steps": ("超时限环节", "Steps over limit"),
    "scope.TEAM": ("团队内", "Within the team"),
    "scope.DIVISION": ("分管部门内", "Within the division"),
    "scope.BUREAU": ("全局", "Bureau-wide"),
    # tables
    "table.page_of": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
}
