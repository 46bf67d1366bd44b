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
    "loader.expected.unexpected": (
        "可处理的文件（处理时出错：{detail}）",
        "a file the loader can process (processing failed: {detail})",
    ),
    "loader.expected.too_large": (
        ("解压后不超过 {max_mb} MB、压缩比不超过 {max_ratio}:1 的工作簿；本文件解压后约 {size_mb} MB，压缩比约 {ratio}:1，"
        "未解析即拒绝（上限为设置项 load.xlsx_max_uncompressed_mb、load.xlsx_max_ratio）"),
        ("a workbook that inflates to at most {max_mb} MB with a ratio of at most {max_ratio}:1; this one declares about "
        "{size_mb} MB, a ratio of about {ratio}:1, and was refused before parsing (settings load.xlsx_max_uncompressed_mb, "
        "load.xlsx_max_ratio)"),
    ),
    "loader.expected.column_type": (
        "{expected}；该列在文件中的类型为 {found}，无法按此读取（小数类型的编号可能已丢失位数，嵌套类型无法对应单元格），请按相应类型重新导出",
        ("{expected}; the column's type in the file is {found}, which cannot be read as such (a decimal id may already "
        "have lost digits, a nested value is not a cell); export it with the matching type"),
    ),
    "loader.expected.nul_byte": ("不含空字符（\\0）的内容", "content without NUL characters (\\0)"),
    "loader.expected.two_digit_year": (
        "四位数年份的日期，如 2024-03-01（两位数年份无法确定世纪）",
        "a date with a four-digit year such as 2024-03-01 (a two-digit year is ambiguous)",
    ),
    "loader.expected.date_range": (
        "{earliest} 至 {latest} 之间的日期（早于 1990 年或晚于导入日一年以上的日期不可信）",
        "a date between {earliest} and {latest} (dates before 1990 or more than a year after the load are implausible)",
    ),
    "loader.expected.non_finite": ("有限的数字（不能是 NaN 或无穷大）", "a finite number (not NaN or infinity)"),
    # What is odd about a row that loads anyway (warnings: contract.ORDER_CHECKS).
    "loader.warning.decided_before_received": (
        "早于到达时间（{other}），该环节用时按 0 计",
        "before the time received ({other}); the step's latency counts as 0",
    ),
    "loader.warning.received_before_submitted": (
        "早于审批单提交时间（{other}），按导出原样保存",
        "before the matter was submitted ({other}); kept as exported",
    ),
    "loader.warning.ends_before_start": (
        "早于开始时间（{other}），该替补不覆盖任何一天",
        "before the start ({other}); the substitution covers no day",
    ),
    "loader.warning.closed_before_filed": (
        "早于立案日期（{other}），按导出原样保存",
        "before the case was filed ({other}); kept as exported",
    ),
    "loader.warning.matter_changed": (
        "审批单 {record} 在库中原为“{other}”，本次导入后以其最新环节为准改为此值",
        "matter {record} was “{other}” in the store; from this load on it takes this value (its latest step's)",
    ),
    "loader.warning.matter_kept": (
        "与审批单 {record} 的最新环节（“{other}”）不一致；以最新环节为准，此值未采用",
        "disagrees with the latest step of matter {record} (“{other}”), which decides: this value is not used",
    ),
    # The same in the load log beside the store (warehouse.loads.log), one line per matter and column.
    "loader.log.matters_heading": (
        "本次导入涉及库中已有的 {matters} 个审批单的属性（{lines} 处），以各审批单的最新环节为准",
        "this load concerns the attributes of {matters} matter(s) already stored ({lines} value(s)); each takes its latest step's",
    ),
    "loader.log.matter_changed": ("审批单 {record}：{column} “{other}” → “{value}”",
                                  "matter {record}: {column} “{other}” → “{value}”"),
    "loader.log.matter_kept": ("审批单 {record}：{column} 保持“{other}”（本次导入的“{value}”未采用，非最新环节）",
                               "matter {record}: {column} stays “{other}” (this load's “{value}” is not its latest step's)"),
    # Short names of the warning kinds (load report summary, the Data page's data-quality panel).
    "loader.kind.matter_changed": ("审批单属性已变更", "Matter attributes changed"),
    "loader.kind.matter_kept": ("与审批单最新环节不一致（未采用）", "Disagrees with the matter's latest step (not used)"),
    "loader.kind.decided_before_received": ("办理时间早于到达时间", "Decided before received"),
    "loader.kind.received_before_submitted": ("到达时间早于提交时间", "Received before submitted"),
    "loader.kind.ends_before_start": ("替补结束早于开始", "Substitution ends before it starts"),
    "loader.kind.closed_before_filed": ("结案日期早于立案日期", "Closed before filed"),
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
        "以下文件或工作表未能识别为某一张数据表，已跳过：",
        "These files or sheets were not recognised as one table and were skipped:",
    ),
    "loader.report.unrecognised_line": ("  {file}：{why}", "  {file}: {why}"),
    "loader.unrecognised.none": ("名称中没有任何表名", "its name contains no table's name"),
    "loader.unrecognised.several": ("名称中含有多个表名（{tables}），无法确定是哪一张",
                                    "its name contains more than one table's name ({tables}): which one is it?"),
    "loader.unrecognised.format": ("不是 CSV、xlsx 或 Parquet 文件", "not a CSV, xlsx or Parquet file"),
    "loader.report.accepted_names": (
        "文件名（或工作表名）须恰好含有一个表名，前后可加任意文字，如“审批记录_2024-06.csv”“tw_ok_替补记录.csv”。表名：{names}",
        ("A file (or sheet) name must contain exactly one table's name, with any prefix or suffix, such as "
        "approvals_2024-06.csv or tw_ok_替补记录.csv. Table names: {names}"),
    ),
    "loader.report.no_files": ("未找到可导入的文件。", "No files to load were found."),
    "loader.report.file_heading": ("文件 {file}：", "File {file}:"),
    "loader.report.problem_line": (
        "  第 {row} 行，列「{column}」，值“{value}”：应为{expected}",
        "  row {row}, column “{column}”, value “{value}”: expected {expected}",
    ),
    "loader.report.problem_line_warning": (
        "  第 {row} 行，列「{column}」，值“{value}”：{expected}",
        "  row {row}, column “{column}”, value “{value}”: {expected}",
    ),
    "loader.report.warnings_heading": (
        "数据质量警告 {count} 条（不阻止导入；随导入批次记录，可在“数据管理”页查看和导出）：",
        "{count} data-quality warning(s) (they do not block the load; recorded with it, listed and exported on the Data page):",
    ),
    "loader.report.warning_kind_line": ("  {kind}：{count} 行", "  {kind}: {count} row(s)"),
    "loader.report.warnings_shown": ("（每类列出前 {shown} 行）", "(the first {shown} of each kind are listed)"),
    "loader.report.warnings_also": (
        "另有 {count} 条数据质量警告（警告不阻止导入）。",
        "There are also {count} data-quality warning(s) (warnings do not block a load).",
    ),
    "loader.report.settings": (
        "设置有误，未读取也未导入任何数据：{error}",
        "The settings are invalid; nothing was read or loaded: {error}",
    ),
    "loader.report.problem_line_norow": (
        "  列「{column}」：应为{expected}",
        "  column “{column}”: expected {expected}",
    ),
    "loader.report.problem_line_file": ("  应为{expected}", "  expected {expected}"),
    "loader.report.load_id": ("导入批次：{load_id}", "Load id: {load_id}"),
    "loader.report.build_incremental": (
        "统计表：只重算本次涉及的 {matters} 件审批事项、{cases} 件案件（含仍在办理中的），其余保持不变。",
        "Marts: recomputed only the {matters} matter(s) and {cases} case(s) this load touches (and those still open); the rest kept.",
    ),
    "loader.report.build_full": (
        "统计表：全部重算（首次载入，或规定解读设置、节假日文件、人员名册有变化）。",
        "Marts: all recomputed (a first load, or the settings, holidays file or roster changed).",
    ),
    "loader.report.and": ("、", ", "),
    "loader.location": ("{file} 第 {row} 行", "{file} row {row}"),
    "loader.condition.non_empty": ("非空", "not empty"),
    "loader.sheet": ("工作表", "sheet"),
    # Progress.
    "loader.progress.read": ("读取 {file}", "Reading {file}"),
    "loader.progress.validate": ("校验 {table}", "Validating {table}"),
    "loader.progress.write": ("写入 {table}", "Writing {table}"),
    "loader.progress.marts": ("计算统计表", "Building the summary tables"),
    "loader.progress.switch": ("写入数据文件并切换到新数据", "Writing the data files and switching to the new data"),
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
    # Import template.
    "template.notes_sheet": ("填写说明", "Notes"),
    "template.notes.intro": (
        "每个工作表对应一张数据表，第 1 行为表头，请从第 2 行起填写；可删除不需要的工作表。带 * 的列必填。",
        "Each sheet is one table; row 1 holds the headers, fill in from row 2; delete sheets you do not need. Columns marked * are required.",
    ),
    "template.notes.table": ("数据表", "Table"),
    "template.notes.column": ("列（表头）", "Column (header)"),
    "template.notes.type": ("类型", "Type"),
    "template.notes.required": ("是否必填", "Required"),
    "template.notes.values": ("可填写的值", "Accepted values"),
    "template.yes": ("是", "yes"),
    "template.no": ("否", "no"),
    "template.required_if": ("当「{other}」为 {condition} 时必填", "when “{other}” is {condition}"),
    "template.type.text": ("文本", "text"),
    "template.type.timestamp": ("时间 YYYY-MM-DD HH:MM[:SS]", "time YYYY-MM-DD HH:MM[:SS]"),
    "template.type.date": ("日期 YYYY-MM-DD", "date YYYY-MM-DD"),
    "template.type.timestamp_or_date": ("时间或日期（只填日期表示全天）", "time or date (a date alone means the whole day)"),
    "template.type.bool": ("是/否", "yes/no"),
    "template.type.int": ("整数", "whole number"),
    "template.type.decimal": ("数字", "number"),
    "template.type.id_list": ("工号列表（用 ; 或 、 分隔）", "staff ids separated by ; or 、"),
    "template.type.enum": ("选项（下拉选择）", "choice (drop-down)"),
    "template.note.cases.deadline_on": (
        ("案件系统导出的审限届满日期（已含经批准的延长和不计入审限的期间）。留空则按立案日期计算：立案后6个月"
        "（非诉执行案件3个月），到期日为法定节假日或休息日的顺延至其后第一个工作日"),
        ("The case system's statutory deadline (approved extensions and excluded periods included). Left empty, it "
        "is computed from the filing date: six months (three for non-litigation cases), moved to the next working "
        "day when it falls on a holiday or weekend"),
    ),
    "cli.docx_needs_month": (
        "生成月度报告需要指定月份，例如 --month 2024-06",
        "A monthly report needs a month, e.g. --month 2024-06",
    ),
}
