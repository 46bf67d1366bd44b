"""Progress of long work: `progress(fraction, message)`, fraction from 0 to 1, message in the user's language."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """`progress` for a part of the work that spans `lo` to `hi` of the whole (None stays None)."""
    if progress is None:
        return None
    return lambda f, msg: progress(lo + (hi - lo) * max(0.0, min(1.0, f)), msg)
