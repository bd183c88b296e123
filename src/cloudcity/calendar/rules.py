"""The shop's calendar: time zone, opening hours, slots, lead times, closures and capacity."""

from __future__ import annotations

import calendar as stdcal
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = tuple(stdcal.day_name)  # Monday first, like date.weekday()
MINUTE = timedelta(minutes=1)
EN_DASH = "\u2013"  # between two times, as printed: 09:00\u201317:00


class CalendarRulesError(ValueError):
    """The calendar's settings contradict themselves; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Interval:
    """Opening hours within one day, local wall-clock time; `end` of 00:00 means midnight."""

    start: time
    end: time

    @property
    def minutes(self) -> tuple[int, int]:
        """Start and end as minutes after midnight (an end of 00:00 counts as 24:00)."""
        end = self.end.hour * 60 + self.end.minute or 24 * 60
        return self.start.hour * 60 + self.start.minute, end

    def label(self) -> str:
        """The interval as a baker reads it: 09:00 to 17:00 joined by an en dash."""
        return f"{self.start:%H:%M}{EN_DASH}{self.end:%H:%M}"


@dataclass(frozen=True)
class YearlyDate:
    """A closure that comes back every year (25 December), month and day."""

    month: int
    day: int


@dataclass(frozen=True)
class Capacity:
    """How many cakes the kitchen can hand over: per day and per pickup slot."""

    per_day: int = 20
    per_slot: int = 3


def _frozen_leads(leads: Mapping[str, timedelta]) -> Mapping[str, timedelta]:
    return MappingProxyType({size.casefold(): lead for size, lead in leads.items()})


@dataclass(frozen=True, eq=False)
class CalendarRules:
    """Everything that decides when a cake can be picked up; validated when built.

    `hours` has seven entries, Monday first, each a tuple of intervals (empty = closed).
    `cutoff`: an order placed at or after this local time counts as placed at the next
    local midnight for lead-time purposes (see `slots.earliest_pickup`); None = no cut-off.
    `horizon_days`: the last bookable day is today (shop time) plus this many days.
    Compared by identity (eq=False): one rules object keys the cache of cut slots.
    """

    tz: ZoneInfo
    hours: tuple[tuple[Interval, ...], ...]
    slot_length: timedelta = timedelta(minutes=30)
    lead_time: timedelta = timedelta(hours=48)
    lead_time_by_size: Mapping[str, timedelta] = field(
        default_factory=lambda: {"Large": timedelta(hours=72)}
    )
    cutoff: time | None = time(16, 0)
    horizon_days: int = 60
    closed_dates: frozenset[date] = frozenset()
    closed_yearly: frozenset[YearlyDate] = frozenset()
    capacity: Capacity = Capacity()
    locale: str = "en_US"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lead_time_by_size", _frozen_leads(self.lead_time_by_size))
        problems = validate(self)
        if problems:
            raise CalendarRulesError(problems)

    def lead_time_for(self, size: str | None) -> timedelta:
        """The lead time for a cake size (case-insensitive), or the shop's default."""
        if size is None:
            return self.lead_time
        return self.lead_time_by_size.get(size.casefold(), self.lead_time)

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The opening hours of a date: none if closed that weekday or that date."""
        if self.is_closed_date(day):
            return ()
        return self.hours[day.weekday()]

    def is_closed_date(self, day: date) -> bool:
        """Whether the date is a one-off or yearly closure (not a weekly closed day)."""
        return day in self.closed_dates or YearlyDate(day.month, day.day) in self.closed_yearly

    def local_today(self, now: datetime) -> date:
        """The shop's date at an aware moment."""
        return now.astimezone(self.tz).date()


def default_rules(tz_name: str) -> CalendarRules:
    """Tue-Sat 9:00-17:00, Sun 10:00-14:00, Mon closed; every other setting its default."""
    week = (_hours(9, 17),) * 5
    return CalendarRules(tz=zone(tz_name), hours=((), *week, _hours(10, 14)))


def zone(tz_name: str) -> ZoneInfo:
    """The IANA zone for a name, or a CalendarRulesError that says what to write."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        message = f"unknown time zone {tz_name!r}: use an IANA name such as 'Europe/London'"
        raise CalendarRulesError([message]) from error


def _hours(start: int, end: int) -> tuple[Interval]:
    return (Interval(time(start), time(end)),)


def validate(rules: CalendarRules) -> list[str]:
    """Every problem with the rules, in words for the baker; empty when they make sense."""
    problems = _check_numbers(rules) + _check_closures(rules)
    if len(rules.hours) != 7:
        return [*problems, f"opening hours need 7 days (Monday first), got {len(rules.hours)}"]
    slot_ok = not any("slot length" in p for p in problems)
    for name, intervals in zip(DAY_NAMES, rules.hours, strict=True):
        problems += _check_day(name, intervals, rules.slot_length if slot_ok else None)
    return problems


def _check_numbers(rules: CalendarRules) -> list[str]:
    problems = []
    slot = rules.slot_length
    if slot < 5 * MINUTE or slot % MINUTE or slot > timedelta(hours=12):
        problems.append(f"slot length must be whole minutes between 5 and 720, got {slot}")
    for size, lead in {"default": rules.lead_time, **rules.lead_time_by_size}.items():
        if lead < timedelta(0):
            problems.append(f"lead time ({size}) cannot be negative, got {lead}")
    if rules.horizon_days < 1:
        problems.append(f"booking horizon must be at least 1 day, got {rules.horizon_days}")
    if rules.capacity.per_day < 0 or rules.capacity.per_slot < 0:
        problems.append(f"capacity cannot be negative, got {rules.capacity}")
    return problems


def _check_closures(rules: CalendarRules) -> list[str]:
    problems = []
    for yearly in sorted(rules.closed_yearly, key=lambda y: (y.month, y.day)):
        try:
            date(2028, yearly.month, yearly.day)  # a leap year: 29 February is allowed
        except ValueError:
            problems.append(f"yearly closure {yearly.month}/{yearly.day} is not a real date")
    return problems


def _check_day(name: str, intervals: tuple[Interval, ...], slot: timedelta | None) -> list[str]:
    problems = []
    ordered = sorted(intervals, key=lambda i: i.minutes)
    for interval in ordered:
        start, end = interval.minutes
        if start >= end:
            problems.append(f"{name} {interval.label()} ends before it starts")
        elif slot is not None and (end - start) % (slot // MINUTE):
            minutes = slot // MINUTE
            problems.append(
                f"{name} {interval.label()} is not a whole number of {minutes}-minute slots"
            )
    for before, after in itertools.pairwise(ordered):
        if after.minutes[0] < before.minutes[1]:
            problems.append(f"{name} {before.label()} overlaps {after.label()}")
    return problems
