"""Whether the shop is open at a moment, and when it next opens (for "when will someone answer")."""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.calendar.display import day_label
from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import wall_instant

LOOK_AHEAD_DAYS = 31  # a shop closed for longer than a month has no "next opening" to promise
WEEK = 7


def is_open(rules: CalendarRules, now: datetime) -> bool:
    """True when `now` falls inside one of the day's opening intervals (shop time)."""
    local = now.astimezone(rules.tz)
    minute = local.hour * 60 + local.minute
    intervals = rules.intervals_on(local.date())
    return any(start <= minute < end for start, end in (i.minutes for i in intervals))


def next_opening(rules: CalendarRules, now: datetime) -> datetime | None:
    """The next moment the shop opens after `now` (UTC), or None if not within a month."""
    today = rules.local_today(now)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        for interval in rules.intervals_on(day):
            opens = wall_instant(day, interval.minutes[0], rules.tz)
            if opens > now:
                return opens
    return None


def opening_words(rules: CalendarRules, opens: datetime, *, now: datetime) -> str:
    """When the shop opens, as people say it: "today at 9:00", "Tuesday at 9:00"."""
    local = opens.astimezone(rules.tz)
    days = (local.date() - rules.local_today(now)).days
    at = f"{local.hour}:{local.minute:02d}"
    if days == 0:
        return f"today at {at}"
    if days == 1:
        return f"tomorrow at {at}"
    if days < WEEK:
        return f"{local:%A} at {at}"
    return f"{day_label(local.date(), locale=rules.locale)} at {at}"
