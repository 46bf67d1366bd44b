"""The Data page: upload limit, data-quality panel, readable load history, settings section."""

MESSAGES = {
    "data.upload_limit": (
        ("网页上传每个文件不超过 {mb} MB（.streamlit/config.toml 中的 server.maxUploadSize），超过的文件会被上传框直接拒绝；"
        "更大的导出请在服务器上用命令 python -m pipelines load 文件或文件夹 导入。xlsx 工作簿解压后超过 {xlsx_mb} MB 或压缩比超过 "
        "{ratio}:1 的，在解析前即被拒绝（设置项 load.xlsx_max_uncompressed_mb、load.xlsx_max_ratio）。"),
        ("Each uploaded file may be up to {mb} MB (server.maxUploadSize in .streamlit/config.toml); the uploader "
        "refuses larger ones. Load bigger exports on the server with `python -m pipelines load FILES_OR_FOLDER`. An "
        ".xlsx workbook that would inflate past {xlsx_mb} MB or by more than {ratio}:1 is refused before parsing "
        "(settings load.xlsx_max_uncompressed_mb, load.xlsx_max_ratio)."),
    ),
    "data.valid_with_warnings": (
        "校验通过，可以导入；另有 {n:,} 条数据质量警告（不阻止导入，导入后在下方“数据质量”中查看）。",
        ("The files are valid and ready to load, with {n:,} data-quality warning(s) (they do not block the load; "
        "see Data quality below once loaded)."),
    ),
    "data.settings_invalid": (
        "设置文件有误，修正前不能校验或导入：{error}",
        "The settings are invalid; nothing can be validated or loaded until they are fixed: {error}",
    ),
    # Data quality panel.
    "data.quality": ("数据质量", "Data quality"),
    "data.quality.help": (
        "导入时发现、但不阻止导入的问题（数据照常导入，计算时的处理见各类说明）。错误则会使整批导入被拒绝，见校验报告。",
        ("Problems found at load time that do not block it (the rows are loaded; how the figures treat them is in "
        "each kind's note). Errors refuse the whole load instead: see the validation report."),
    ),
    "data.quality.load": ("导入批次", "Load"),
    "data.quality.load_option": ("第 {id} 批（{at}），警告 {n:,} 条", "#{id} ({at}), {n:,} warning(s)"),
    "data.quality.none": ("这一批导入没有数据质量警告。", "This load has no data-quality warnings."),
    "data.quality.kind": ("警告类型", "Kind of warning"),
    "data.quality.rows_of": ("{kind}：{n:,} 行", "{kind}: {n:,} row(s)"),
    "data.col.kind": ("警告类型", "Kind"),
    "data.col.rows": ("行数", "Rows"),
    "data.col.file": ("文件", "File"),
    "data.col.sheet": ("工作表", "Sheet"),
    "data.col.row": ("行号", "Row"),
    "data.col.column": ("列", "Column"),
    "data.col.value": ("值", "Value"),
    "data.col.other": ("对照值", "Compared with"),
    "data.col.record_id": ("记录编号", "Record id"),
    "data.file.warnings": ("数据质量警告", "data-quality-warnings"),
    # Load history.
    "data.col.load_id": ("批次", "Load"),
    "data.col.loaded_at": ("导入时间", "Loaded at"),
    "data.col.files": ("文件", "Files"),
    "data.col.table_rows": ("各表行数", "Rows per table"),
    "data.col.warnings": ("警告", "Warnings"),
    "data.col.dropped": ("未保存的列", "Columns not stored"),
    "data.file.history": ("导入记录", "load-history"),
    # Settings.
    "data.settings": ("设置", "Settings"),
    "data.settings.help": (
        ("规定中需要解释的取值和导入上限。修改方法：在数据库旁新建 settings.toml（{dir}），只写要改的设置项；"
        "下一次导入或 python -m pipelines rebuild 时生效。默认值和说明见 pipelines/settings.default.toml。"),
        ("The regulation's readings and the loader's limits. To change them, write a settings.toml beside the store "
        "({dir}) with only the keys to change; they apply on the next load or `python -m pipelines rebuild`. "
        "Defaults and notes: pipelines/settings.default.toml."),
    ),
    "data.settings.source": ("当前使用：{path}", "In effect: {path}"),
    "data.settings.defaults": ("当前使用默认设置（数据库旁没有 settings.toml）。", "The defaults are in effect (no settings.toml beside the store)."),
    "data.file.settings": ("设置", "settings"),
}
