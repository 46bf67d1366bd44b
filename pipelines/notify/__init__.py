"""Telling the people who must act: alert rules and their state, digests by mail, the intranet webhook.

Imports every layer below it (core … present): figures only through the query layer, charts through present's
export, recipients and their scope through access. Its state (alert states, the digest log) is one SQLite
file beside the store (`warehouse.notify.sqlite` next to `warehouse.duckdb`).
"""
