"""A written digest (.eml) as one standalone HTML page, the way a mail client shows it: the headers on top,
the HTML part below with every `cid:` image replaced by its inline PNG (a data: URL). For looking at a
digest in a browser (`--dry-run` writes one beside each .eml) and for the tests that check what it shows.

Chromium opens MHTML, not a multipart/alternative e-mail: this is the mail client's step it leaves out.
"""

from __future__ import annotations

import base64
import html
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


def parse(eml: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(eml)


def inline_images(msg: EmailMessage) -> dict[str, tuple[str, bytes]]:
    """Content-ID (without <>) -> (content type, decoded bytes) of every inline part with an id."""
    out = {}
    for part in msg.walk():
        cid = part.get("Content-ID")
        if cid and not part.is_multipart():
            out[cid.strip("<>")] = (part.get_content_type(), part.get_payload(decode=True))
    return out


def to_html(eml: bytes) -> str:
    msg = parse(eml)
    body = msg.get_body(preferencelist=("html",))
    page = body.get_content() if body is not None else "<pre>" + html.escape(msg.get_body(("plain",)).get_content()) + "</pre>"
    for cid, (ctype, data) in inline_images(msg).items():
        page = page.replace(f"cid:{cid}", f"data:{ctype};base64,{base64.b64encode(data).decode('ascii')}")
    header = "".join(f"<div><b>{html.escape(k)}:</b> {html.escape(str(msg[k] or ''))}</div>"
                     for k in ("Subject", "From", "To", "Date"))
    banner = (f'<div style="font-family:sans-serif;font-size:13px;background:#f6f6f6;border-bottom:1px solid #ccc;'
              f'padding:8px 12px;margin-bottom:12px">{header}</div>')
    return page.replace("<body", "<body", 1).replace(">", ">" + banner, 1) if "<body" not in page else \
        page.replace(page[page.index("<body"):page.index(">", page.index("<body")) + 1],
                     page[page.index("<body"):page.index(">", page.index("<body")) + 1] + banner, 1)
