"""tierwatch pipelines: everything that is not UI. Never imports streamlit.

Packages, from the bottom up; each imports only those before it (tests/test_layers.py holds it):
core, domain, tables, marts, store, ingest, access, queries, present, notify, demo. The command line (`cli`, `__main__`)
and the benchmark (`bench`) sit on top and may import any of them.
"""

LAYERS = ("core", "domain", "tables", "marts", "store", "ingest", "access", "queries", "present", "notify", "demo")
