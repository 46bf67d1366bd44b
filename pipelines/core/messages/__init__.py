"""Message catalogue parts, one module per area, merged by pipelines.core.i18n. Each: MESSAGES = {key: (zh, en)}."""
