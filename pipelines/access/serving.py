"""The server's safe default: who is asked to sign in decides where it may listen.

With no sign-in configured (no account beside the store, no `[auth]` in the secrets Streamlit reads) the
dashboard is in local mode: it listens on 127.0.0.1 only, and asked for any other address it refuses.
`serve.py` calls `plan()` before Streamlit starts; the tests call it too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipelines.access.accounts import any_account

LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
UPLOAD_PREFIX = "tierwatch-upload-"


def option(argv: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in a command line (the last one given)."""
    found = None
    for i, arg in enumerate(argv):
        if arg == f"--{name}" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith(f"--{name}="):
            found = arg.split("=", 1)[1]
    return found


def secrets_files(argv: list[str], cwd: Path) -> list[Path]:
    """The secrets files Streamlit will read: `--secrets.files` when given, else its defaults (the user's
    ~/.streamlit/secrets.toml and the project's .streamlit/secrets.toml)."""
    given = [arg.split("=", 1)[1] for arg in argv if arg.startswith("--secrets.files=")]
    given += [argv[i + 1] for i, arg in enumerate(argv) if arg == "--secrets.files" and i + 1 < len(argv)]
    if os.environ.get("STREAMLIT_SECRETS_FILES"):
        given.append(os.environ["STREAMLIT_SECRETS_FILES"])
    if given:
        return [Path(p) for g in given for p in g.split(",") if p]
    return [Path.home() / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def auth_configured(files: list[Path]) -> bool:
    """Whether a secrets file configures OpenID Connect for `st.login` (an `[auth]` table with a
    redirect_uri and a cookie_secret)."""
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        auth = data.get("auth")
        if isinstance(auth, dict) and auth.get("redirect_uri") and auth.get("cookie_secret"):
            return True
    return False


@dataclass(frozen=True)
class Plan:
    argv: list[str]  # what to pass to `streamlit run app.py`
    address: str
    local_mode: bool  # no sign-in configured
    refused: bool  # asked for a network address without sign-in: exit 2


def plan(argv: list[str], db: Path, cwd: Path) -> Plan:
    """Where the server may listen for these options, and the options to start it with: 127.0.0.1 unless an
    address is asked for; a non-local address only with sign-in configured; error details never shown."""
    signin = any_account(db) or auth_configured(secrets_files(argv, cwd))
    asked = option(argv, "server.address") or os.environ.get("STREAMLIT_SERVER_ADDRESS") or ""
    address = asked or "127.0.0.1"
    out = list(argv)
    if not asked:
        out += ["--server.address", address]
    if option(argv, "client.showErrorDetails") is None:
        out += ["--client.showErrorDetails", "none"]
    refused = not signin and address not in LOCAL_ADDRESSES
    return Plan(out, address, not signin, refused)


def upload_root(db: Path) -> Path:
    """The folder under the system's temporary folder where the Data page writes uploads of store `db`
    (one per store, so clearing it touches no other server's uploads)."""
    import hashlib

    key = hashlib.sha256(str(Path(db).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"{UPLOAD_PREFIX}{key}"


def clear_uploads(db: Path) -> int:
    """Remove what uploads of store `db` left behind (a server stopped mid-validation); returns how many."""
    root = upload_root(db)
    if not root.exists():
        return 0
    n = sum(1 for _ in root.iterdir())
    shutil.rmtree(root, ignore_errors=True)
    return n
