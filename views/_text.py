"""Text is text: every value that comes from an export (a name, a team, a division, a case number, a reason)
goes through `md()` before Streamlit reads it as Markdown (captions, metrics' labels and help, headers,
tabs, toasts, alerts, labels of buttons and links). A roster whose names are `[x](http://…)` or
`![b](http://…)` then draws those characters, never a link or an image that fetches itself.

Only the values are escaped, never a message's own text (it may use Markdown on purpose): a caption is
built with `md` applied to its team and division names (`queries.caption(..., escape=md)`)."""

from __future__ import annotations

import re

# What Markdown (CommonMark, GFM, Streamlit's directives :red[…] and $…$) reads: a backslash before each
# makes it the character itself. Characters that only mean something at the start of a line (`-`, `.`
# after digits) need nothing: line breaks become spaces, and the value never starts a line.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$&])")
# `:smile:` and `:material/x:` shortcodes
_SHORTCODE = re.compile(r":(?=[\w/+-]+:)")
# GFM's autolinks are found in the text after escapes are resolved (an escaped `http\://x` still became a
# link): a WORD JOINER (U+2060, invisible, no width) goes where their patterns need two characters side by
# side (`http` `:`, `www` `.`, `x` `@`), so none matches.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto)(?=:)|\b(www)(?=\.)|(?<=[\w.+-])(?=@)")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(value: object) -> str:
    """`value` as Markdown that shows exactly its characters (line breaks as spaces)."""
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or "") + "\u2060", text)
    text = _SPECIAL.sub(r"\\\1", text)
    return _SHORTCODE.sub(r"\\:", text)
