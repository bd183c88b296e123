"""Pickup slots on the shop's wall clock, the days the clocks change, and the booking window."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cloudcity.calendar import (
    CalendarRules,
    Interval,
    YearlyDate,
    bookable_slots,
    day_slots,
    default_rules,
    earliest_pickup,
    effective_order_time,
    last_bookable_day,
    slots_between,
    zone,
)

NIGHT = (Interval(time(0), time(4)),)  # a night shop, so slots meet the clock changes
ALL_DAY = (Interval(time(0), time(0)),)


def night_shop(tz_name: str, hours: tuple[Interval, ...] = NIGHT) -> CalendarRules:
    """A shop open at the hours the clocks change, every day."""
    return CalendarRules(tz=zone(tz_name), hours=(hours,) * 7)


def labels(rules: CalendarRules, day: date) -> list[str]:
    """Each slot of a day as local start-end with the zone's abbreviation."""
    return [f"{s.local_start:%H:%M %Z}-{s.local_end:%H:%M %Z}" for s in day_slots(rules, day)]


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_default_week_in_london() -> None:
    rules = default_rules("Europe/London")
    slots = list(slots_between(rules, date(2026, 11, 30), date(2026, 12, 6)))  # Mon to Sun
    by_day = {d: sum(1 for s in slots if s.local_date == d) for d in {s.local_date for s in slots}}
    assert date(2026, 11, 30) not in by_day
    assert by_day[date(2026, 12, 1)] == 16
    assert by_day[date(2026, 12, 6)] == 8
    assert slots[0].start == utc(2026, 12, 1, 9)
    assert slots[0].end - slots[0].start == timedelta(minutes=30)
    assert slots[0].iso_local() == "2026-12-01T09:00:00+00:00"


def test_spring_forward_los_angeles_skips_the_missing_hour() -> None:
    rules = night_shop("America/Los_Angeles")
    assert labels(rules, date(2026, 3, 8)) == [
        "00:00 PST-00:30 PST",
        "00:30 PST-01:00 PST",
        "01:00 PST-01:30 PST",
        "01:30 PST-03:00 PDT",
        "03:00 PDT-03:30 PDT",
        "03:30 PDT-04:00 PDT",
    ]
    assert all(s.end - s.start == timedelta(minutes=30) for s in day_slots(rules, date(2026, 3, 8)))


def test_fall_back_los_angeles_takes_the_first_of_the_repeated_hour() -> None:
    rules = night_shop("America/Los_Angeles")
    slots = day_slots(rules, date(2026, 11, 1))
    assert labels(rules, date(2026, 11, 1)) == [
        "00:00 PDT-00:30 PDT",
        "00:30 PDT-01:00 PDT",
        "01:00 PDT-01:30 PDT",
        "01:30 PDT-02:00 PST",
        "02:00 PST-02:30 PST",
        "02:30 PST-03:00 PST",
        "03:00 PST-03:30 PST",
        "03:30 PST-04:00 PST",
    ]
    assert slots[2].start == utc(2026, 11, 1, 8)  # 01:00 PDT, not 01:00 PST (09:00 UTC)
    assert slots[3].end - slots[3].start == timedelta(minutes=90)
    assert len({s.start for s in slots}) == len(slots)


def test_london_clock_changes() -> None:
    rules = night_shop("Europe/London")
    assert labels(rules, date(2026, 3, 29))[1:4] == [
        "00:30 GMT-02:00 BST",
        "02:00 BST-02:30 BST",
        "02:30 BST-03:00 BST",
    ]
    autumn = labels(rules, date(2026, 10, 25))
    assert autumn[2:4] == ["01:00 BST-01:30 BST", "01:30 BST-02:00 GMT"]
    assert len(autumn) == 8


@pytest.mark.parametrize("tz_name", ["America/Los_Angeles", "Europe/London", "Pacific/Auckland"])
def test_a_whole_year_of_round_the_clock_slots_tiles_each_local_day(tz_name: str) -> None:
    rules = night_shop(tz_name, ALL_DAY)
    day = date(2026, 1, 1)
    while day.year == 2026:
        slots = day_slots(rules, day)
        local = [s.local_start.replace(tzinfo=None) for s in slots]
        assert len(set(local)) == len(local), day
        assert all(a.end == b.start for a, b in itertools.pairwise(slots)), day
        next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=rules.tz)
        assert slots[-1].end == next_midnight.astimezone(UTC), day
        assert len(slots) in (46, 48), day
        day += timedelta(days=1)


def test_auckland_slots_fall_on_the_previous_utc_day() -> None:
    rules = default_rules("Pacific/Auckland")
    first = day_slots(rules, date(2026, 11, 28))[0]  # Saturday 09:00 NZDT
    assert first.start == utc(2026, 11, 27, 20)
    assert first.local_date == date(2026, 11, 28)


def test_lead_time_counts_from_now_before_the_cutoff() -> None:
    rules = default_rules("Europe/London")  # cut-off 16:00
    now = utc(2026, 12, 1, 15, 59)
    assert effective_order_time(rules, now) == now
    assert earliest_pickup(rules, now=now, size="Small") == utc(2026, 12, 3, 15, 59)
    assert earliest_pickup(rules, now=now, size="Large") == utc(2026, 12, 4, 15, 59)


def test_after_the_cutoff_an_order_counts_from_the_next_local_midnight() -> None:
    rules = default_rules("Europe/London")
    assert effective_order_time(rules, utc(2026, 12, 1, 16)) == utc(2026, 12, 2)
    assert earliest_pickup(rules, now=utc(2026, 12, 1, 23, 59), size=None) == utc(2026, 12, 4)
    assert earliest_pickup(rules, now=utc(2026, 12, 2, 0, 1), size=None) == utc(2026, 12, 4, 0, 1)


def test_midnight_cutoff_in_auckland_uses_the_shop_date_not_utc() -> None:
    rules = dataclasses.replace(default_rules("Pacific/Auckland"), cutoff=time(12))
    before = utc(2026, 11, 24, 22, 59)  # Wed 11:59 NZDT, still Tuesday in UTC
    after = utc(2026, 11, 24, 23, 0)  # Wed 12:00 NZDT
    assert effective_order_time(rules, before) == before
    assert effective_order_time(rules, after) == utc(2026, 11, 25, 11)  # Thu 00:00 NZDT
    assert bookable_slots(rules, now=after, size=None)[0].local_start.isoformat() == (
        "2026-11-28T09:00:00+13:00"
    )


def test_a_midnight_cutoff_counts_every_order_from_the_next_day() -> None:
    rules = dataclasses.replace(default_rules("Europe/London"), cutoff=time(0))
    assert effective_order_time(rules, utc(2026, 12, 2, 0, 0)) == utc(2026, 12, 3)
    assert effective_order_time(rules, utc(2026, 12, 1, 23, 59)) == utc(2026, 12, 2)


def test_no_cutoff() -> None:
    rules = dataclasses.replace(default_rules("Europe/London"), cutoff=None)
    assert effective_order_time(rules, utc(2026, 12, 1, 23, 30)) == utc(2026, 12, 1, 23, 30)


def test_horizon_is_sixty_local_days_from_the_shop_date() -> None:
    rules = default_rules("Pacific/Auckland")
    now = utc(2026, 11, 27, 12)  # Saturday 01:00 in Auckland
    assert last_bookable_day(rules, now=now) == date(2027, 1, 27)
    slots = bookable_slots(rules, now=now, size=None)
    assert slots[-1].local_date == date(2027, 1, 27)
    assert slots[0].start >= earliest_pickup(rules, now=now, size=None)


def test_leap_day_2028_is_a_tuesday_with_slots_unless_closed_yearly() -> None:
    rules = default_rules("America/Los_Angeles")
    now = datetime(2028, 2, 27, 10, tzinfo=rules.tz)  # Sunday morning
    assert bookable_slots(rules, now=now, size=None)[0].local_start == datetime(
        2028, 2, 29, 10, tzinfo=rules.tz
    )
    closed = dataclasses.replace(rules, closed_yearly=frozenset({YearlyDate(2, 29)}))
    assert day_slots(closed, date(2028, 2, 29)) == ()
    assert bookable_slots(closed, now=now, size=None)[0].local_date == date(2028, 3, 1)
