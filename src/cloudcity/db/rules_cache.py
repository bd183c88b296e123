"""The shop's calendar rules as this process last read them, kept until they change."""

from __future__ import annotations

import threading
from datetime import datetime

from cloudcity.calendar.rules import CalendarRules


class RulesCache:
    """One per Database: the same rules object serves until the stored row changes.

    Keeping one object matters beyond the parse: the calendar caches the slots it cuts per
    rules object.
    """

    def __init__(self) -> None:
        self._kept: tuple[datetime, CalendarRules] | None = None
        self._lock = threading.Lock()

    def get(self, version: datetime) -> CalendarRules | None:
        """The kept rules when they were read at `version`, else None."""
        kept = self._kept
        return kept[1] if kept is not None and kept[0] == version else None

    def keep(self, version: datetime, rules: CalendarRules) -> None:
        """Remember rules read at `version`."""
        with self._lock:
            self._kept = (version, rules)
