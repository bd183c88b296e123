"""Pickup slots: the shop's opening hours cut into slots, as UTC instants, and the booking window.

Slots live on the shop's wall clock: every opening interval is cut at `slot_length` steps of
local time, and each step is turned into an instant with `zoneinfo`. On the days the clocks
change (decided deliberately, tested in tests/calendar/test_slots.py):

- spring forward: a local start time that does not exist (02:30 when 02:00 jumps to 03:00)
  gives no slot. A slot whose *end* falls in the gap ends at the first real time after it
  (01:30-03:00 lasts 30 minutes);
- fall back: a local time that happens twice is taken at its first occurrence (`fold=0`,
  still summer time), so each local label appears once and no slot is off by an hour. The
  slot before the repeated hour ends lasts longer (01:30-02:00 lasts 90 minutes): a customer
  who comes when their clock reads a time inside the label is on time.

So a slot's end minus its start is `slot_length` on every ordinary day, and more or less on
the two days a year the clocks change, when the wall clock is what customers follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cloudcity.calendar.rules import MINUTE, CalendarRules

DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Slot:
    """One pickup slot: `start` and `end` are aware UTC instants; `tz` shows them locally."""

    start: datetime
    end: datetime
    tz: ZoneInfo = field(compare=False, repr=False)

    @property
    def local_start(self) -> datetime:
        """The start on the shop's clock."""
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        """The end on the shop's clock."""
        return self.end.astimezone(self.tz)

    @property
    def local_date(self) -> date:
        """The shop's date of the slot (the capacity day it counts against)."""
        return self.local_start.date()

    def iso_local(self) -> str:
        """The start in ISO 8601 with the shop's offset, e.g. 2026-12-12T14:00:00-08:00."""
        return self.local_start.isoformat()


def to_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall time (first occurrence), or None if the clocks skip it."""
    instant = wall_instant(day, minutes, tz)
    if (
        instant.astimezone(tz).replace(tzinfo=None)
        != datetime.combine(day, time()) + minutes * MINUTE
    ):
        return None
    return instant


def wall_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: the first if it repeats, just after if skipped."""
    local = datetime.combine(day, time()) + minutes * MINUTE  # 24:00 is the next midnight
    # fold=0 in a gap uses the offset from before the jump, which lands just after the gap.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def day_slots(rules: CalendarRules, day: date) -> tuple[Slot, ...]:
    """Every pickup slot on one local date, in order; none if the shop is closed that day."""
    return _day_slots(rules, day)


@lru_cache(maxsize=4096)
def _day_slots(rules: CalendarRules, day: date) -> tuple[Slot, ...]:
    step = rules.slot_length // MINUTE
    start_at, end_at = _clock(day, rules.tz)
    slots = []
    for interval in sorted(rules.intervals_on(day), key=lambda i: i.minutes):
        first, last = interval.minutes
        for minutes in range(first, last, step):
            start = start_at(minutes)
            if start is not None:
                slots.append(Slot(start, end_at(minutes + step), rules.tz))
    return tuple(slots)


def _clock(
    day: date, tz: ZoneInfo
) -> tuple[Callable[[int], datetime | None], Callable[[int], datetime]]:
    """Local minutes of a day to instants: plain sums unless the clocks change that day."""
    midnight = wall_instant(day, 0, tz)
    if wall_instant(day, 24 * 60, tz) - midnight == DAY:
        return (lambda m: midnight + m * MINUTE), (lambda m: midnight + m * MINUTE)
    return (lambda m: to_instant(day, m, tz)), (lambda m: wall_instant(day, m, tz))


def slots_between(rules: CalendarRules, first: date, last: date) -> Iterator[Slot]:
    """The slots from local date `first` to `last`, both included, in order."""
    day = first
    while day <= last:
        yield from _day_slots(rules, day)
        day += DAY


def effective_order_time(rules: CalendarRules, now: datetime) -> datetime:
    """When an order placed at `now` counts as placed, for lead-time purposes (UTC).

    An order at or after the same-day cut-off (shop time) counts as placed at the next
    local midnight: with a 16:00 cut-off and 48 h lead time, an order on Tuesday at 17:00
    counts from Wednesday 00:00 and can be picked up from Friday 00:00 (so Friday's first
    slot), while one on Tuesday at 15:59 can be picked up from Thursday 15:59.
    """
    local = now.astimezone(rules.tz)
    if rules.cutoff is None or local.time() < rules.cutoff:
        return now.astimezone(UTC)
    return wall_instant(local.date() + DAY, 0, rules.tz)


def earliest_pickup(rules: CalendarRules, *, now: datetime, size: str | None) -> datetime:
    """The first instant a cake of this size may be picked up: order time + lead time (UTC).

    The lead time is elapsed time, so across a clock change it ends an hour off on the
    wall clock; the oven does not care what the clock says.
    """
    return effective_order_time(rules, now) + rules.lead_time_for(size)


def last_bookable_day(rules: CalendarRules, *, now: datetime) -> date:
    """The last local date that may be booked: today (shop time) plus the horizon."""
    return rules.local_today(now) + rules.horizon_days * DAY


def bookable_slots(rules: CalendarRules, *, now: datetime, size: str | None) -> list[Slot]:
    """Every slot between the earliest pickup and the end of the horizon, ignoring capacity."""
    earliest = earliest_pickup(rules, now=now, size=size)
    first = earliest.astimezone(rules.tz).date()
    last = last_bookable_day(rules, now=now)
    return [slot for slot in slots_between(rules, first, last) if slot.start >= earliest]


def as_utc(moment: datetime, name: str = "now") -> datetime:
    """The moment in UTC, or a ValueError if it has no time zone (a naive clock is a bug).

    Normalising matters: Python never finds an ambiguous local time (01:30 on a fall-back
    night, either fold) equal to any instant in another zone (PEP 495), so lookups by
    instant only work once both sides are UTC.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (use UTC), got {moment!r}")
    return moment.astimezone(UTC)


def booked_slot(rules: CalendarRules, start: datetime) -> Slot:
    """The slot an order booked at `start`: that day's slot, or one slot long if rules changed."""
    start = as_utc(start, "start")
    for slot in _day_slots(rules, start.astimezone(rules.tz).date()):
        if slot.start == start:
            return slot
    return Slot(start, start + rules.slot_length, rules.tz)
