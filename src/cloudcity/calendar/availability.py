"""Which pickup slots are free, and why a requested time is refused (with alternatives).

Booked counts are passed in (`Booked`): the database supplies them later, keyed by slot
start in UTC (as stored; a local key would miss on a fall-back night, see `slots.as_utc`)
and by the shop's local date.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from cloudcity.calendar.rules import MINUTE, CalendarRules
from cloudcity.calendar.slots import (
    DAY,
    Slot,
    as_utc,
    day_slots,
    earliest_pickup,
    last_bookable_day,
    wall_instant,
)

WHOLE_DAY = (0, 24 * 60)


@dataclass(frozen=True)
class Booked:
    """Cakes already booked: per slot start (aware, UTC) and per local date."""

    by_slot: Mapping[datetime, int] = field(default_factory=dict)
    by_day: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FreeSlot:
    """A slot with room left for at least one more cake."""

    slot: Slot
    places_left: int


class Reason(StrEnum):
    """Why a pickup time cannot be booked."""

    TOO_SOON = "too_soon"
    TOO_FAR_AHEAD = "too_far_ahead"
    CLOSED_DATE = "closed_date"
    CLOSED_WEEKDAY = "closed_weekday"
    OUTSIDE_HOURS = "outside_hours"
    NOT_ON_SLOT = "not_on_slot"
    DAY_FULL = "day_full"
    SLOT_FULL = "slot_full"
    NOTHING_FREE = "nothing_free"


@dataclass(frozen=True)
class Accepted:
    """The requested time can be booked: its slot and the places left in it."""

    slot: Slot
    places_left: int


@dataclass(frozen=True)
class Refusal:
    """The requested time (or day) cannot be booked, why, and the nearest free slots instead.

    `requested` is the moment asked about (for a whole day or part of one, its middle);
    `earliest` is the first possible pickup (set for TOO_SOON); `last_day` the last bookable
    date (set for TOO_FAR_AHEAD).
    """

    reason: Reason
    requested: datetime
    alternatives: tuple[FreeSlot, ...]
    earliest: datetime | None = None
    last_day: date | None = None


Verdict = Accepted | Refusal


@dataclass(frozen=True)
class PickupQuery:
    """What every question here needs: the rules, the clock, the cake's size and the bookings."""

    rules: CalendarRules
    now: datetime
    size: str | None
    booked: Booked

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", as_utc(self.now))

    @property
    def earliest(self) -> datetime:
        """The first instant this cake may be picked up."""
        return earliest_pickup(self.rules, now=self.now, size=self.size)

    @property
    def last_day(self) -> date:
        """The last bookable local date."""
        return last_bookable_day(self.rules, now=self.now)

    def places_left(self, slot: Slot) -> int:
        """Room left in a slot: the smaller of the slot's and the day's."""
        capacity = self.rules.capacity
        in_slot = capacity.per_slot - self.booked.by_slot.get(slot.start, 0)
        return min(in_slot, capacity.per_day - self.booked.by_day.get(slot.local_date, 0))


def free_slots(
    query: PickupQuery, *, first: date | None = None, last: date | None = None
) -> list[FreeSlot]:
    """Free slots between two local dates (default: the whole bookable window), in order."""
    return list(_iter_free(query, first=first, last=last))


def next_free(
    query: PickupQuery, *, after: datetime | None = None, count: int = 5
) -> list[FreeSlot]:
    """The first `count` free slots starting at or after a moment (default: the earliest)."""
    start = max(query.earliest, as_utc(after, "after")) if after else query.earliest
    found = []
    for free in _iter_free(query, first=start.astimezone(query.rules.tz).date()):
        if free.slot.start >= start:
            found.append(free)
        if len(found) == count:
            break
    return found


def _iter_free(
    query: PickupQuery, *, first: date | None = None, last: date | None = None
) -> Iterator[FreeSlot]:
    rules, booked = query.rules, query.booked
    earliest = query.earliest
    day = earliest.astimezone(rules.tz).date()
    day = max(first, day) if first else day
    last = min(last or query.last_day, query.last_day)
    per_slot = rules.capacity.per_slot
    while day <= last:
        day_left = rules.capacity.per_day - booked.by_day.get(day, 0)
        for slot in day_slots(rules, day) if day_left > 0 else ():
            left = min(per_slot - booked.by_slot.get(slot.start, 0), day_left)
            if left > 0 and slot.start >= earliest:
                yield FreeSlot(slot, left)
        day += DAY


def nearest_free(query: PickupQuery, moment: datetime, *, count: int = 3) -> tuple[FreeSlot, ...]:
    """The `count` free slots closest in time to a moment, in order."""
    moment = as_utc(moment, "moment")
    free = free_slots(query)
    at = bisect.bisect_left([f.slot.start for f in free], moment)
    low, high = at, at
    while high - low < count and (low > 0 or high < len(free)):
        before = moment - free[low - 1].slot.start if low > 0 else None
        after = free[high].slot.start - moment if high < len(free) else None
        if after is None or (before is not None and before <= after):
            low -= 1
        else:
            high += 1
    return tuple(free[low:high])


def check(query: PickupQuery, start: datetime, *, alternatives: int = 3) -> Verdict:
    """Whether a slot starting at `start` can be booked, or why not and what is near it."""
    start = as_utc(start, "start")
    local = start.astimezone(query.rules.tz)
    reason = _time_reason(query, start) or _day_reason(query.rules, local.date())
    if reason is None:
        slot_or_reason = _slot_at(query, start)
        if isinstance(slot_or_reason, Slot):
            return Accepted(slot_or_reason, query.places_left(slot_or_reason))
        reason = slot_or_reason
    return refuse(query, reason, near=start, count=alternatives)


def refuse(query: PickupQuery, reason: Reason, *, near: datetime, count: int = 3) -> Refusal:
    """A refusal with the nearest free slots, the earliest pickup and the last bookable day."""
    earliest = query.earliest if reason is Reason.TOO_SOON else None
    last_day = query.last_day if reason is Reason.TOO_FAR_AHEAD else None
    alternatives = nearest_free(query, near, count=count)
    return Refusal(reason, near, alternatives, earliest, last_day)


def _time_reason(query: PickupQuery, start: datetime) -> Reason | None:
    if start < query.earliest:
        return Reason.TOO_SOON
    if start.astimezone(query.rules.tz).date() > query.last_day:
        return Reason.TOO_FAR_AHEAD
    return None


def _day_reason(rules: CalendarRules, day: date) -> Reason | None:
    if rules.is_closed_date(day):
        return Reason.CLOSED_DATE
    if not rules.hours[day.weekday()]:
        return Reason.CLOSED_WEEKDAY
    return None


def _slot_at(query: PickupQuery, start: datetime) -> Slot | Reason:
    rules = query.rules
    local = start.astimezone(rules.tz)
    minutes = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)) / MINUTE
    if not any(a <= minutes < b for a, b in (i.minutes for i in rules.intervals_on(local.date()))):
        return Reason.OUTSIDE_HOURS
    slot = next((s for s in day_slots(rules, local.date()) if s.start == start), None)
    if slot is None:
        return Reason.NOT_ON_SLOT
    if query.booked.by_day.get(slot.local_date, 0) >= rules.capacity.per_day:
        return Reason.DAY_FULL
    if query.places_left(slot) <= 0:
        return Reason.SLOT_FULL
    return slot


def first_free_on(
    query: PickupQuery, day: date, *, within: tuple[int, int] = WHOLE_DAY, alternatives: int = 3
) -> Verdict:
    """The first free slot on a local date, optionally within local minutes [from, to)."""
    near = wall_instant(day, sum(within) // 2, query.rules.tz)  # mid-range: both sides
    reason = _day_reason(query.rules, day)
    if day > query.last_day:
        reason = Reason.TOO_FAR_AHEAD
    if reason is not None:
        return refuse(query, reason, near=near, count=alternatives)
    candidates = [s for s in day_slots(query.rules, day) if _starts_within(s, within)]
    for slot in candidates:
        verdict = check(query, slot.start, alternatives=0)
        if isinstance(verdict, Accepted):
            return verdict
    reason = _why_none(query, candidates)
    return refuse(query, reason, near=near, count=alternatives)


def _starts_within(slot: Slot, within: tuple[int, int]) -> bool:
    local = slot.local_start
    return within[0] <= local.hour * 60 + local.minute < within[1]


def _why_none(query: PickupQuery, candidates: list[Slot]) -> Reason:
    if not candidates:
        return Reason.OUTSIDE_HOURS
    if candidates[-1].start < query.earliest:
        return Reason.TOO_SOON
    if query.booked.by_day.get(candidates[0].local_date, 0) >= query.rules.capacity.per_day:
        return Reason.DAY_FULL
    return Reason.SLOT_FULL
