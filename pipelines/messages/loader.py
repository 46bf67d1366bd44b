"""Messages of the loader: readers, validation, store, load report, command line."""

MESSAGES = {
    # What a cell should have held (Problem.expected).
    "loader.expected.unreadable": ("可读取的文件（{detail}）", "a readable file ({detail})"),
    "loader.expected.empty_file": ("含表头行的表格", "a table with a header row"),
    "loader.expected.missing_column": ("必需的列「{header}」", "the required column “{header}”"),
    "loader.expected.duplicate_column": ("每列只出现一次", "each column only once"),
    "loader.expected.required": ("必填，不能为空", "a value (required)"),
    "loader.expected.required_if": (
        "必填（当「{other}」为 {condition} 时）",
        "a value (required when “{other}” is {condition})",
    ),
    "loader.expected.text": ("文本", "text"),
    "loader.expected.timestamp": (
        "时间，格式 YYYY-MM-DD HH:MM[:SS] 或 YYYY/MM/DD HH:MM[:SS]",
        "a time as YYYY-MM-DD HH:MM[:SS] or YYYY/MM/DD HH:MM[:SS]",
    ),
    "loader.expected.date": (
        "日期，格式 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年M月D日",
        "a date as YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日",
    ),
    "loader.expected.timestamp_or_date": (
        "时间或日期，格式 YYYY-MM-DD[ HH:MM[:SS]]、YYYY/MM/DD[ HH:MM[:SS]] 或 YYYY年M月D日",
        "a time or date as YYYY-MM-DD[ HH:MM[:SS]], YYYY/MM/DD[ HH:MM[:SS]] or YYYY年M月D日",
    ),
    "loader.expected.bool": ("是/否（是、否、true、false、1、0、Y、N）", "yes/no (true, false, 1, 0, Y, N, 是, 否)"),
    "loader.expected.int": ("整数", "a whole number"),
    "loader.expected.int_min": ("不小于 {min} 的整数", "a whole number ≥ {min}"),
    "loader.expected.decimal": ("数字（可含千位分隔符“,”）", "a number (thousands separators “,” allowed)"),
    "loader.expected.id_list": ("以 ; ； , ， 或 、 分隔的工号", "staff ids separated by ; ； , ， or 、"),
    "loader.expected.enum": ("以下之一：{choices}", "one of: {choices}"),
    "loader.expected.duplicate_key": (
        "唯一的{key}（与 {other} 重复）",
        "a unique {key} (also at {other})",
    ),
    "loader.expected.inconsistent": (
        "同一审批单各环节一致（{other} 为“{first}”）",
        "the same value on every step of the matter ({other} has “{first}”)",
    ),
    "loader.expected.reference": (
        "已有的{target}（{target_column}），本次导入和库中均未找到",
        "an existing {target} ({target_column}); not in this load nor in the store",
    ),
    "loader.expected.decided_before_received": (
        "不早于到达时间（{other}）",
        "not before the time received ({other})",
    ),
    # Report.
    "loader.report.ok": ("导入成功：{files} 个文件，{rows} 行。", "Loaded: {files} file(s), {rows} row(s)."),
    "loader.report.valid": ("校验通过：{files} 个文件，{rows} 行（未写入）。", "Valid: {files} file(s), {rows} row(s) (not written)."),
    "loader.report.failed": (
        "导入失败：发现 {count} 个问题，未写入任何数据，数据库保持原样。",
        "Load failed: {count} problem(s) found; nothing was written, the store is unchanged.",
    ),
    "loader.report.shown": ("（仅列出前 {shown} 个）", "(only the first {shown} are listed)"),
    "loader.report.rows_heading": ("各表行数：", "Rows per table:"),
    "loader.report.rows_line": ("  {table}：{rows} 行", "  {table}: {rows} row(s)"),
    "loader.report.dropped_heading": (
        "以下列不属于数据规范，已忽略且不会保存：",
        "These columns are not in the data contract; they were dropped and are never stored:",
    ),
    "loader.report.dropped_line": ("  {file}：{columns}", "  {file}: {columns}"),
    "loader.report.unrecognised_heading": (
        "以下文件或工作表无法识别为任何数据表，已跳过（文件名或工作表名应为表名，如“审批记录_2024-06.csv”）：",
        "These files or sheets name no table and were skipped (name them after a table, e.g. approvals_2024-06.csv):",
    ),
    "loader.report.unrecognised_line": ("  {file}", "  {file}"),
    "loader.report.no_files": ("未找到可导入的文件。", "No files to load were found."),
    "loader.report.file_heading": ("文件 {file}：", "File {file}:"),
    "loader.report.problem_line": (
        "  第 {row} 行，列「{column}」，值“{value}”：应为{expected}",
        "  row {row}, column “{column}”, value “{value}”: expected {expected}",
    ),
    "loader.report.problem_line_norow": (
        "  列「{column}」：应为{expected}",
        "  column “{column}”: expected {expected}",
    ),
    "loader.report.problem_line_file": ("  应为{expected}", "  expected {expected}"),
    "loader.report.load_id": ("导入批次：{load_id}", "Load id: {load_id}"),
    "loader.report.and": ("、", ", "),
    "loader.location": ("{file} 第 {row} 行", "{file} row {row}"),
    "loader.condition.non_empty": ("非空", "not empty"),
    "loader.sheet": ("工作表", "sheet"),
    # Progress.
    "loader.progress.read": ("读取 {file}", "Reading {file}"),
    "loader.progress.validate": ("校验 {table}", "Validating {table}"),
    "loader.progress.write": ("写入 {table}", "Writing {table}"),
    "loader.progress.marts": ("计算统计表", "Building the summary tables"),
    "loader.progress.switch": ("切换到新数据", "Switching to the new data"),
    "loader.progress.done": ("完成", "Done"),
    # Command line.
    "cli.description": (
        "执行管理层级看板：导入导出文件、生成演示数据、输出报告。",
        "Tiered-responsibility dashboard: load exports, write demo data, report.",
    ),
    "cli.demo.written": ("已写入演示导出文件 {count} 个：{out}", "Wrote {count} demo export file(s) to {out}"),
    "cli.store": ("数据库：{db}", "Store: {db}"),
    "cli.rebuilt": ("已重新计算统计表：{db}", "Rebuilt the summary tables in {db}"),
    "cli.no_store": ("数据库不存在：{db}", "No store at {db}"),
    "cli.docx_written": ("已写入月报：{path}", "Wrote the monthly report: {path}"),
    "cli.error": ("错误：{error}", "Error: {error}"),
    "cli.path_missing": ("路径不存在：{path}", "No such file or folder: {path}"),
}
