"""Getting a digest out: SMTP (plain, STARTTLS or SSL, with or without login) and the intranet webhook.

The SMTP password never comes from the settings table: the environment variable `TIERWATCH_SMTP_PASSWORD`,
else `[smtp] password` in `.streamlit/secrets.toml` (the project's, where Streamlit reads its secrets). It is
never logged, never part of an error message, never in a URL.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

PASSWORD_ENV = "TIERWATCH_SMTP_PASSWORD"
ROOT = Path(__file__).resolve().parents[2]
SECRETS = ROOT / ".streamlit" / "secrets.toml"


class SendError(RuntimeError):
    """A message that did not go out; the text names the cause without any secret."""


def smtp_password(secrets: Path = SECRETS) -> str | None:
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    try:
        data = tomllib.loads(secrets.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = (data.get("smtp") or {}).get("password")
    return str(value) if value else None


def send_mail(msg: EmailMessage, settings, password: str | None = None) -> None:
    """Hand `msg` to the SMTP server of the settings; raises SendError when it is not accepted."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds
    try:
        if settings.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if settings.smtp_security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, password if password is not None else (smtp_password() or ""))
            refused = server.send_message(msg)
            if refused:
                raise SendError(f"recipients refused: {', '.join(sorted(refused))}")
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{type(exc).__name__} {exc.smtp_code}: {_text(exc.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def fit(payload: dict, max_bytes: int) -> bytes:
    """The payload as UTF-8 JSON of at most `max_bytes`: attention rows dropped from the end, then alerts, then
    the plain text, until it fits (`truncated` says so); the counts and links always stay."""
    body = dict(payload)

    def encoded() -> bytes:
        return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")

    data = encoded()
    for key in ("attention", "alerts"):
        while len(data) > max_bytes and body.get(key):
            body[key] = body[key][: len(body[key]) // 2]
            body["truncated"] = True
            data = encoded()
    if len(data) > max_bytes and body.get("text"):
        body["text"], body["truncated"] = None, True
        data = encoded()
    if len(data) > max_bytes:
        raise SendError(f"webhook payload of {len(data)} bytes exceeds digest.webhook_max_bytes = {max_bytes}")
    return data


def post_webhook(url: str, body: bytes, timeout: float) -> None:
    """POST the JSON body; any answer but 2xx is a SendError."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "User-Agent": "tierwatch-digest"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            if not 200 <= resp.status < 300:
                raise SendError(f"HTTP {resp.status}")
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None
