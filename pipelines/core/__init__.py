"""The foundations every package stands on: the input contract, the message catalogue and i18n, the filters,
progress, frames handed to DuckDB, the order of names.

Imports nothing of pipelines outside core.
"""
