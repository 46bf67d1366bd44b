"""Message catalogue parts, one module per area, merged by pipelines.i18n. Each: MESSAGES = {key: (zh, en)}."""
