"""The DuckDB store: opening it (read-only and for a change), schema versions and migrations, the atomic
switch of a load or rebuild.

Imports core, domain, tables and marts.
"""
