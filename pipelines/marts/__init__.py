"""How the marts are built from the stored inputs (full and incremental, in batches): latency, matters,
findings, the case clock and the SQL marts.

Imports core, domain and tables.
"""
