"""When to remind a customer of their pickup: the day before, at a set hour of the shop's clock.

The hour is wall-clock time in the shop's zone, so on the day the clocks change the reminder
still goes at 10:00 local (Sunday 8 March 2026 in Los Angeles: 17:00 UTC, not 18:00). An hour
the clocks skip is taken just after the gap.

When that time has already passed as the order is placed or moved (a pickup tomorrow
morning booked this afternoon), the reminder goes at once, unless the pickup is less than
`LATE_NOTICE` away: then the customer has only just chosen the time, and a reminder would
be noise (and could arrive after they set off).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import DAY, as_utc, wall_instant

LATE_NOTICE = timedelta(hours=4)


def reminder_time(
    pickup_at: datetime, *, rules: CalendarRules, hour: int, now: datetime
) -> datetime | None:
    """When to send the reminder of a pickup (UTC), or None when none should be sent."""
    if not 0 <= hour <= 23:
        raise ValueError(f"the reminder hour must be 0 to 23, got {hour}")
    pickup_at, now = as_utc(pickup_at, "pickup_at"), as_utc(now)
    eve = pickup_at.astimezone(rules.tz).date() - DAY
    planned = wall_instant(eve, hour * 60, rules.tz)
    if planned > now:
        return planned
    return now if pickup_at - now >= LATE_NOTICE else None
