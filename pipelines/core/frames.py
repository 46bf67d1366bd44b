"""Polars frames handed to DuckDB: registered under a name for a block, and let go of when it ends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl


class _Stream:
    """A frame as DuckDB scans it through the Arrow PyCapsule interface, let go of by setting `data` to None.

    `copy`: the stream of its pyarrow copy, as `register` of the frame itself makes (polars' own stream
    carries all-null columns without the validity bitmap DuckDB requires). Else polars' own stream: no
    pyarrow (whose import alone takes 1.5-2 s cold), for frames that have no all-null column."""

    def __init__(self, frame: pl.DataFrame, copy: bool) -> None:
        self.data = frame.to_arrow() if copy else frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.data.__arrow_c_stream__(requested_schema)


@contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, name: str = "_tierwatch_frame", *, copy: bool = True
) -> Iterator[str]:
    """`frame` visible to SQL in `con` as `name` for the block (the one way frames reach DuckDB).

    Registered as a stream that drops the frame on leaving: DuckDB keeps the object behind a dropped view
    until the transaction ends, so a registered frame (or the Arrow copy `register` makes of it) lived as
    long as the load: a batch of matters (~250 MB at 380k steps) more per batch, 6.8 GB at 10M steps."""
    stream = _Stream(frame, copy)
    con.register(name, stream)
    try:
        yield name
    except BaseException:
        # An error inside (DuckDB out of memory, a full disk) aborts the transaction, and unregistering would
        # then fail too: that second error must not hide the first (pipelines.core.faults names it).
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)
        stream.data = None
        raise
    con.unregister(name)
    stream.data = None
