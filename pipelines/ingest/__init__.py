"""From exports to the store: reading CSV/xlsx/Parquet, validating against the contract, the load
itself, the template users fill in.

Imports core, domain, tables, marts and store.
"""
