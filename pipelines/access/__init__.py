"""Who may see what: accounts, the scope a person's post gives, sign-in and the audit trail (留痕).

Imports core, domain, tables, marts, store and ingest; the query layer and the pages import it. The
accounts and the audit trail live in one SQLite file beside the store (`warehouse.access.sqlite` next to
`warehouse.duckdb`): the server and the command line write it at the same time, which SQLite allows.
"""
