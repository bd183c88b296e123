"""One rule for text from outside (API, admin forms, webhooks): no control characters.

PostgreSQL text cannot hold NUL, and no other C0 or C1 control means anything in a name, a
cake or a key; stored raw they reach a baker's terminal as escape sequences. Lone UTF-16
surrogates (valid to Python, not to UTF-8) go for the same reason. Tab, newline and carriage
return may stay in a message body; a one-line field (a name, a key) turns them into spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
LINE_BREAKS = re.compile(r"[\t\n\r]")


def clean(text: str) -> str:
    """The text without control characters (tab and line breaks kept)."""
    return CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """One line of text: control characters removed, tabs and line breaks made spaces."""
    return LINE_BREAKS.sub(" ", clean(text))


def clean_json(value: Any) -> Any:
    """A parsed JSON value with `clean` applied to every string in it, keys too.

    Containers are cleaned in place, with a stack instead of recursion: any depth the JSON
    parser accepted is fine here.
    """
    if isinstance(value, str):
        return clean(value)
    pending: list[Any] = [value]
    while pending:
        container = pending.pop()
        if isinstance(container, dict):
            items = [(clean(key), item) for key, item in container.items()]
            container.clear()
            container.update(items)
            keys: Iterable[Any] = list(container)
        elif isinstance(container, list):
            keys = range(len(container))
        else:
            continue
        for key in keys:
            item = container[key]
            if isinstance(item, str):
                container[key] = clean(item)
            elif isinstance(item, dict | list):
                pending.append(item)
    return value
