"""A realistic demo export set (generated, written to files, loaded).

Imports core, domain (and ingest through the command line that loads it).
"""
