"""The shop's calendar rules: defaults, lookups and validation messages."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from cloudcity.calendar import (
    CalendarRules,
    CalendarRulesError,
    Capacity,
    Interval,
    YearlyDate,
    default_rules,
    zone,
)

NINE_TO_FIVE = (Interval(time(9), time(17)),)


def week(*days: tuple[Interval, ...]) -> tuple[tuple[Interval, ...], ...]:
    """Seven days of hours: the ones given, Monday first, then the rest nine to five."""
    return (*days, *(NINE_TO_FIVE,) * (7 - len(days)))


def problems(**changes: object) -> list[str]:
    """The validation problems of rules built with these changes."""
    settings: dict[str, object] = {"tz": zone("Europe/London"), "hours": week(), **changes}
    with pytest.raises(CalendarRulesError) as raised:
        CalendarRules(**settings)  # type: ignore[arg-type]
    return raised.value.problems


def test_default_rules_open_tuesday_to_sunday_with_the_issue_defaults() -> None:
    rules = default_rules("America/Los_Angeles")
    assert rules.hours[0] == ()
    assert rules.hours[1] == rules.hours[5] == NINE_TO_FIVE
    assert rules.hours[6] == (Interval(time(10), time(14)),)
    assert rules.slot_length == timedelta(minutes=30)
    assert rules.lead_time_for("Small") == timedelta(hours=48)
    assert rules.lead_time_for("large") == timedelta(hours=72)
    assert rules.lead_time_for(None) == timedelta(hours=48)
    assert rules.capacity == Capacity(per_day=20, per_slot=3)
    assert rules.horizon_days == 60


def test_closed_dates_one_off_and_yearly_including_leap_day() -> None:
    rules = CalendarRules(
        tz=zone("Europe/London"),
        hours=week(),
        closed_dates=frozenset({date(2026, 12, 31)}),
        closed_yearly=frozenset({YearlyDate(12, 25), YearlyDate(2, 29)}),
    )
    assert rules.intervals_on(date(2026, 12, 31)) == ()
    assert rules.intervals_on(date(2027, 12, 31)) == NINE_TO_FIVE
    assert rules.intervals_on(date(2030, 12, 25)) == ()
    assert rules.intervals_on(date(2028, 2, 29)) == ()
    assert rules.intervals_on(date(2028, 2, 28)) == NINE_TO_FIVE


def test_unknown_time_zone_says_what_to_write() -> None:
    with pytest.raises(CalendarRulesError, match="IANA name such as 'Europe/London'"):
        default_rules("Mars/Olympus_Mons")


def test_inverted_interval() -> None:
    assert problems(hours=week((Interval(time(17), time(9)),))) == [
        "Monday 17:00\u201309:00 ends before it starts"
    ]


def test_overlapping_intervals() -> None:
    morning, afternoon = Interval(time(9), time(13)), Interval(time(12), time(17))
    assert problems(hours=week((afternoon, morning))) == [
        "Monday 09:00\u201313:00 overlaps 12:00\u201317:00"
    ]


def test_touching_intervals_and_a_day_until_midnight_are_fine() -> None:
    split = (Interval(time(9), time(12)), Interval(time(12), time(14)))
    rules = CalendarRules(tz=zone("UTC"), hours=week(split, (Interval(time(0), time(0)),)))
    assert rules.hours[1][0].minutes == (0, 24 * 60)


def test_slot_length_must_divide_the_opening_hours() -> None:
    assert problems(slot_length=timedelta(minutes=45), hours=week(*(NINE_TO_FIVE,) * 6, ())) == [
        f"{day} 09:00\u201317:00 is not a whole number of 45-minute slots"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slot_length": timedelta(minutes=2)}, "slot length must be whole minutes"),
        ({"slot_length": timedelta(seconds=90 * 60 + 1)}, "slot length must be whole minutes"),
        ({"lead_time": timedelta(hours=-1)}, "lead time (default) cannot be negative"),
        ({"lead_time_by_size": {"Large": timedelta(hours=-2)}}, "lead time (large) cannot be"),
        ({"horizon_days": 0}, "booking horizon must be at least 1 day"),
        ({"capacity": Capacity(per_day=-1)}, "capacity cannot be negative"),
        ({"capacity": Capacity(per_slot=-3)}, "capacity cannot be negative"),
        ({"closed_yearly": frozenset({YearlyDate(2, 30)})}, "yearly closure 2/30 is not a real"),
        ({"hours": (NINE_TO_FIVE,) * 6}, "opening hours need 7 days (Monday first), got 6"),
    ],
)
def test_numbers_that_make_no_sense(changes: dict[str, object], message: str) -> None:
    found = problems(**changes)
    assert len(found) == 1
    assert found[0].startswith(message)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(horizon_days=-1, hours=week((Interval(time(17), time(9)),)))
    assert len(found) == 2
    assert "; ".join(found) in str(CalendarRulesError(found))
