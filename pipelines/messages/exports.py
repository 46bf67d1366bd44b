"""Messages of the exports: chart titles' subtitles, masking, the monthly report (.docx)."""

MESSAGES = {
    # chart/table subtitles: where and when
    "export.list_sep": ("、", ", "),
    "export.part_sep": ("；", "; "),
    "export.period_range": ("{start} 至 {end}", "{start} to {end}"),
    "export.filter_period": ("期间：{value}", "Period: {value}"),
    "export.filter_division": ("分管部门：{value}", "Division: {value}"),
    "export.filter_team": ("团队：{value}", "Team: {value}"),
    "export.filter_matter_type": ("审批事项：{value}", "Matter type: {value}"),
    "export.filter_level": ("审批层级：{value}", "Level: {value}"),
    "export.whole_bureau": ("全局", "Whole bureau"),
    "export.snapshot": ("数据截至 {when}", "Data as of {when}"),
    "export.masked_suffix": ("某", "X."),
    "export.too_many_rows": (
        "表格有 {rows} 行，超过 Excel 单表上限 {limit} 行，请先筛选或导出 CSV。",
        "The table has {rows} rows, more than Excel's {limit} per sheet: filter first or export CSV.",
    ),
}
