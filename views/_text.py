"""Text is text: every value that comes from an export (a name, a team, a division, a case number, a reason)
goes through `md()` before Streamlit reads it as Markdown (captions, metrics' labels and help, headers,
tabs, toasts, alerts, labels of buttons and links). A roster whose names are `[x](http://…)` or
`![b](http://…)` then draws those characters, never a link or an image that fetches itself."""

from __future__ import annotations

import re

# Every ASCII punctuation character Markdown (and Streamlit's directives: :red[…], :material/…:, $…$) may
# read, written as a numeric character reference: CommonMark shows it as the character and reads nothing
# into it.
# GFM's autolinks are found in the text after escapes and references are resolved (`http\://x` and
# `http&#58;//x` both became links): a WORD JOINER (U+2060, invisible, no width) goes where their patterns
# need two characters side by side (`http` `://`, `www` `.`, `x` `@`), so none matches.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto)(?=:)|\b(www)(?=\.)|(?<=[\w.+-])(?=@)")
_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'@/%]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(value: object) -> str:
    """`value` as Markdown that shows exactly its characters (line breaks as spaces)."""
    text = "" if value is None else str(value)
    text = _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or "") + "\u2060", text)
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", _LINE_BREAKS.sub(" ", text))


def md_params(params: dict) -> dict:
    """Every value of a message's parameters escaped (numbers and dates too: they render unchanged)."""
    return {k: md(v) for k, v in params.items()}
