"""A customer's answer to the slot it books, or the refusal they get, against a frozen "now"."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from cloudcity.calendar import (
    Accepted,
    Booked,
    PickupQuery,
    Refusal,
    YearlyDate,
    default_rules,
    next_free,
)
from cloudcity.calendar.choose import choose_pickup
from cloudcity.calendar.parse import NotUnderstood

RULES = dataclasses.replace(
    default_rules("America/Los_Angeles"), closed_yearly=frozenset({YearlyDate(12, 25)})
)
TZ = RULES.tz
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ)  # Wednesday noon: a small cake from Fri 12:00
SATURDAY_2PM = datetime(2026, 11, 28, 14, tzinfo=TZ)


def query(size: str = "Small", booked: Booked | None = None) -> PickupQuery:
    """Availability at NOW."""
    return PickupQuery(RULES, NOW, size, booked or Booked())


def outcome(verdict: Accepted | Refusal | NotUnderstood) -> str:
    """The verdict in a word: the slot's local start, the refusal reason, or "?"."""
    if isinstance(verdict, Accepted):
        return f"{verdict.slot.local_start:%a %d %b %H:%M}"
    if isinstance(verdict, Refusal):
        return verdict.reason.value
    return "?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saturday", "Sat 28 Nov 09:00"),
        ("sat 2pm", "Sat 28 Nov 14:00"),
        ("saturday morning", "Sat 28 Nov 09:00"),
        ("saturday afternoon", "Sat 28 Nov 12:00"),
        ("friday", "Fri 27 Nov 12:00"),  # the first slot after the lead time
        ("24 Dec 10am", "Thu 24 Dec 10:00"),
        ("12/24", "Thu 24 Dec 09:00"),
        ("as soon as possible", "Fri 27 Nov 12:00"),
        ("asap", "Fri 27 Nov 12:00"),
        ("tomorrow at 3", "too_soon"),
        ("next friday morning", "too_soon"),  # Friday's morning slots are before 12:00
        ("today", "too_soon"),
        ("monday", "closed_weekday"),
        ("dec 25", "closed_date"),
        ("sat 6pm", "outside_hours"),
        ("sat at 8", "outside_hours"),
        ("sunday evening", "outside_hours"),  # Sunday closes at 14:00
        ("sat 10:15", "not_on_slot"),
        ("feb 29", "too_far_ahead"),  # 2028
        ("the 24th of march", "too_far_ahead"),
        ("banana", "?"),
    ],
)
def test_answers_to_slots_or_refusals(text: str, expected: str) -> None:
    assert outcome(choose_pickup(text, query=query())) == expected


def test_a_large_cake_needs_a_day_more() -> None:
    assert outcome(choose_pickup("friday", query=query("Large"))) == "too_soon"
    assert outcome(choose_pickup("asap", query=query("Large"))) == "Sat 28 Nov 12:00"


def test_too_soon_tells_the_earliest_and_offers_the_first_free_slots() -> None:
    refusal = choose_pickup("tomorrow at 3", query=query())
    assert isinstance(refusal, Refusal)
    assert refusal.earliest == datetime(2026, 11, 27, 12, tzinfo=TZ)
    assert [f"{f.slot.local_start:%a %H:%M}" for f in refusal.alternatives] == [
        "Fri 12:00",
        "Fri 12:30",
        "Fri 13:00",
    ]


def test_a_number_picks_from_the_offered_list_and_is_checked_again() -> None:
    offered = next_free(query(), count=3)
    assert outcome(choose_pickup("2", query=query(), offered=offered)) == "Fri 27 Nov 12:30"
    taken = Booked({offered[1].slot.start: 3})
    assert outcome(choose_pickup("2", query=query(booked=taken), offered=offered)) == "slot_full"
    assert choose_pickup("4", query=query(), offered=offered) == NotUnderstood(
        "there is no choice 4"
    )


def test_full_slot_full_day_and_places_left() -> None:
    full_slot = Booked({SATURDAY_2PM: 3})
    assert outcome(choose_pickup("sat 2pm", query=query(booked=full_slot))) == "slot_full"
    full_day = Booked(by_day={date(2026, 11, 28): 20})
    assert outcome(choose_pickup("saturday", query=query(booked=full_day))) == "day_full"
    verdict = choose_pickup("sat 2pm", query=query(booked=Booked({SATURDAY_2PM: 2})))
    assert isinstance(verdict, Accepted)
    assert verdict.places_left == 1
