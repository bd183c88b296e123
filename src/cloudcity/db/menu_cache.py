"""The menu as this process last read it, kept while the database says it is unchanged."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cloudcity.domain import MenuItem, OptionKind

Menu = dict[OptionKind, list[MenuItem]]


@dataclass(frozen=True)
class _Copy:
    version: str
    menu: Menu


class MenuCache:
    """One per Database: every chat message needs the menu, and reading it is a round trip.

    The key is the menu's version, a digest of its rows that the database computes beside
    another query (the conversation lock), so a change made by any process is seen at once.
    `invalidate()` drops the copy after an edit in this process.
    """

    def __init__(self) -> None:
        self._copy: _Copy | None = None
        self._lock = threading.Lock()

    def get(self, version: str | None, read: Callable[[], tuple[str | None, Menu]]) -> Menu:
        """The menu at `version`: the kept copy when it matches, else `read()` and keep it."""
        kept = self._copy
        if version is None or kept is None or kept.version != version:
            read_version, menu = read()
            if read_version is None:  # an empty menu: nothing to key a copy by
                return menu
            kept = _Copy(read_version, menu)
            with self._lock:
                self._copy = kept
        # A copy of the lists: whoever gets the menu may change them, the kept one must not.
        return {kind: list(options) for kind, options in kept.menu.items()}

    def invalidate(self) -> None:
        """Forget the kept menu (after this process changed it)."""
        with self._lock:
            self._copy = None
