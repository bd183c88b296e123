"""Whether the shop is open, and when it next opens: what a customer handed to a person is told."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from cloudcity.calendar import default_rules
from cloudcity.calendar.hours import is_open, next_opening, opening_words

# The default calendar: Tue-Sat 9-17, Sun 10-14, Mon closed, in Los Angeles (UTC-8 in December).
RULES = default_rules("America/Los_Angeles")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026 on the shop's clock, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=RULES.tz).astimezone(UTC)


def test_open_inside_the_hours_and_closed_outside() -> None:
    assert is_open(RULES, at(1, 9))  # Tuesday, opening minute
    assert is_open(RULES, at(1, 16, 59))
    assert not is_open(RULES, at(1, 17))
    assert not is_open(RULES, at(7, 12))  # Monday


def test_before_opening_it_opens_today() -> None:
    opens = next_opening(RULES, at(1, 7))
    assert opens == at(1, 9)
    assert opening_words(RULES, opens, now=at(1, 7)) == "today at 9:00"


def test_in_the_evening_it_opens_tomorrow() -> None:
    opens = next_opening(RULES, at(1, 18))
    assert opens is not None
    assert opening_words(RULES, opens, now=at(1, 18)) == "tomorrow at 9:00"


def test_after_sunday_it_opens_on_tuesday() -> None:
    opens = next_opening(RULES, at(6, 15))
    assert opens == at(8, 9)
    assert opening_words(RULES, opens, now=at(6, 15)) == "Tuesday at 9:00"


def test_a_closure_is_skipped_and_a_far_day_is_named_with_its_date() -> None:
    closed = frozenset(date(2026, 12, day) for day in range(8, 20))
    rules = dataclasses.replace(RULES, closed_dates=closed)
    opens = next_opening(rules, at(6, 15))
    assert opens == at(20, 10)  # Sunday 20 Dec
    assert opening_words(rules, opens, now=at(6, 15)) == "Sunday 20 Dec at 10:00"


def test_a_shop_closed_for_over_a_month_promises_no_day() -> None:
    rules = dataclasses.replace(RULES, hours=((),) * 7)
    assert next_opening(rules, at(1, 7)) is None
