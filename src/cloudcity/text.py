"""One rule for text from outside (API, admin forms, webhooks): no control characters.

PostgreSQL text cannot hold NUL, and no other C0 or C1 control means anything in a name, a
cake or a key; stored raw they reach a baker's terminal as escape sequences. Lone UTF-16
surrogates (valid to Python, not to UTF-8) go for the same reason. Tab, newline and carriage
return may stay in a message body; a one-line field (a name, a key) turns them into spaces.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
LINE_BREAKS = re.compile(r"[\t\n\r]")


def clean(text: str) -> str:
    """The text without control characters (tab and line breaks kept)."""
    return CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """One line of text: control characters removed, tabs and line breaks made spaces."""
    return LINE_BREAKS.sub(" ", clean(text))


def has_control(text: str) -> bool:
    """True when the text holds a character `clean_line` would change."""
    return bool(CONTROL.search(text) or LINE_BREAKS.search(text))
