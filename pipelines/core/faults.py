"""Faults of the machine, told apart from faults of the input (issue 23).

A full disk, a folder the program may not write, a file that vanished while it was read, memory exhausted:
none of them is a problem of the user's rows, and none may be reported as one (a full disk during
validation once refused a cases file as "unreadable", and 2,976 approval steps then failed as "expected
an existing case"). Wherever an error could be taken for the input's (a reader's, validation's), it is
first asked `fault_of(exc)`; a fault is raised as `MachineFault`, which stops the load or rebuild whole:
the store stays as it was, the user reads one message naming the fault and what to do, the command line
exits 2.

The errors come from Python (`OSError.errno`), DuckDB (`IOException`, `OutOfMemoryException`: the errno
only in the message) and polars (`ComputeError` wrapping "(os error 28)"), so the message is read too.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from pipelines.core.i18n import t

# errno -> fault kind
ERRNO_KINDS = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EROFS: "permission",
    errno.ENOENT: "vanished",
    errno.ESTALE: "vanished",
    errno.EIO: "io",
    errno.ENOMEM: "memory",
}
KINDS = ("disk_full", "permission", "vanished", "memory", "io")

# What the engines' messages say when they carry no errno attribute (DuckDB, polars, pyarrow).
_MESSAGES = (
    (re.compile(r"No space left on device|Disk quota exceeded|os error 28\b|\"errno\":\s*\"28\"", re.IGNORECASE), "disk_full"),
    (re.compile(r"Permission denied|Read-only file system|Operation not permitted|os error (13|30|1)\b"), "permission"),
    (re.compile(r"Out of Memory|out of memory|memory allocation of \d+ bytes failed|Cannot allocate memory"), "memory"),
    (re.compile(r"No such file or directory|os error 2\b|Stale file handle"), "vanished"),
    (re.compile(r"Input/output error|os error 5\b"), "io"),
)
_QUOTED_PATH = re.compile(r"""(?:file|directory|path)\s*\\?["']([^"'\\]+)\\?["']""", re.IGNORECASE)


class MachineFault(Exception):
    """A fault of the machine, not of the input: `kind` (KINDS), the path concerned if known, the
    original error in one line (`detail`)."""

    def __init__(self, kind: str, path: str | None = None, detail: str = "") -> None:
        super().__init__(f"{kind}: {path or ''} {detail}".strip())
        self.kind = kind
        self.path = path
        self.detail = detail

    def format(self, lang: str = "zh", where: str | None = None) -> str:
        """One message in `lang`: the fault, where (its path, else `where`), what to do, the store unchanged."""
        path = self.path or where or ""
        if self.kind == "disk_full" and self.path:  # the folder that is full, not the file being written
            found = Path(self.path)
            path = str(found if found.is_dir() else found.parent)
        return t(f"fault.{self.kind}", lang, path=path, detail=self.detail)


def _detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}"


def _one(exc: BaseException) -> MachineFault | None:
    if isinstance(exc, MachineFault):
        return exc
    if isinstance(exc, MemoryError):
        return MachineFault("memory", None, _detail(exc))
    if isinstance(exc, OSError) and exc.errno in ERRNO_KINDS:
        path = exc.filename if isinstance(exc.filename, str) else None
        return MachineFault(ERRNO_KINDS[exc.errno], path, _detail(exc))
    try:
        import duckdb

        if isinstance(exc, duckdb.OutOfMemoryException):
            return MachineFault("memory", None, _detail(exc))
    except ImportError:  # pragma: no cover - duckdb is a dependency
        pass
    text = str(exc)
    for pattern, kind in _MESSAGES:
        if pattern.search(text):
            found = _QUOTED_PATH.search(text)
            return MachineFault(kind, found.group(1) if found else None, _detail(exc))
    return None


def fault_of(exc: BaseException) -> MachineFault | None:
    """The machine fault behind `exc` (it, or an error it was raised `from`), or None: the input's, or a bug.
    Only explicit causes are followed: an input error raised while another was handled is the input's."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        fault = _one(exc)
        if fault is not None:
            return fault
        exc = exc.__cause__ or (exc.__context__ if _aborted(exc) else None)
    return None


def _aborted(exc: BaseException) -> bool:
    """DuckDB's "transaction is aborted": only the echo of the error that aborted it (its context)."""
    return type(exc).__name__ == "TransactionException" and "transaction is aborted" in str(exc)


def reraise_fault(exc: BaseException) -> None:
    """Raise the machine fault behind `exc`, if any (before an error is taken for the input's)."""
    fault = fault_of(exc)
    if fault is not None:
        raise fault from exc
