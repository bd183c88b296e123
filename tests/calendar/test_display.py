"""Pickup times and refusals in words, in the shop's zone; public holidays to import."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from cloudcity.calendar import (
    Booked,
    PickupQuery,
    Refusal,
    check,
    day_label,
    day_slots,
    default_rules,
    moment_label,
    next_free,
    refusal_message,
    slot_label,
)
from cloudcity.calendar.public_holidays import Holiday, public_holidays

LONDON = dataclasses.replace(default_rules("Europe/London"), locale="en_GB")
NOW = datetime(2026, 12, 8, 10, tzinfo=UTC)  # Tuesday


def refusal_at(moment: datetime, booked: Booked | None = None) -> Refusal:
    """What the London shop says to a small cake at `moment`."""
    verdict = check(PickupQuery(LONDON, NOW, "Small", booked or Booked()), moment)
    assert isinstance(verdict, Refusal)
    return verdict


def test_slot_label_in_the_shop_zone() -> None:
    slot = day_slots(LONDON, date(2026, 12, 12))[10]
    assert slot_label(slot) == "Saturday 12 Dec, 14:00\u201314:30"
    la = default_rules("America/Los_Angeles")
    assert slot_label(day_slots(la, date(2026, 12, 12))[0]) == "Saturday 12 Dec, 09:00\u201309:30"


def test_labels_use_the_locale_for_names() -> None:
    assert day_label(date(2026, 12, 12), locale="fr_FR") == "samedi 12 d\u00e9c."
    assert moment_label(datetime(2026, 12, 12, 22, tzinfo=UTC), rules=LONDON) == (
        "Saturday 12 Dec, 22:00"
    )


def test_a_refusal_says_why_and_offers_numbered_alternatives() -> None:
    message = refusal_message(refusal_at(datetime(2026, 12, 9, 10, tzinfo=UTC)), rules=LONDON)
    assert message == (
        "That's too soon for us to bake it: the earliest pickup is Thursday 10 Dec, 10:00. "
        "Could one of these suit you? Answer with its number:\n"
        "1. Thursday 10 Dec, 10:00\u201310:30\n"
        "2. Thursday 10 Dec, 10:30\u201311:00\n"
        "3. Thursday 10 Dec, 11:00\u201311:30"
    )


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (datetime(2026, 12, 14, 10, tzinfo=UTC), "We're closed on Mondays."),
        (datetime(2027, 3, 1, 10, tzinfo=UTC), "We take bookings up to Saturday 6 Feb."),
        (
            datetime(2026, 12, 13, 15, tzinfo=UTC),
            "That's outside our opening hours on Sunday 13 Dec (10:00\u201314:00).",
        ),
        (
            datetime(2026, 12, 12, 9, 10, tzinfo=UTC),
            "Pickups are in 30-minute slots, starting on the hour and every 30 minutes after.",
        ),
    ],
)
def test_each_reason_in_words(moment: datetime, why: str) -> None:
    assert refusal_message(refusal_at(moment), rules=LONDON).startswith(why)


def test_full_day_and_slot_in_words() -> None:
    saturday = datetime(2026, 12, 12, 14, tzinfo=UTC)
    day_full = refusal_at(saturday, Booked(by_day={date(2026, 12, 12): 20}))
    assert refusal_message(day_full, rules=LONDON).startswith("Saturday 12 Dec is fully booked.")
    slot_full = refusal_at(saturday, Booked({saturday: 3}))
    assert refusal_message(slot_full, rules=LONDON).startswith("That time is fully booked.")


def test_offered_list_round_trips_through_a_number() -> None:
    offered = next_free(PickupQuery(LONDON, NOW, None, Booked()), count=2)
    assert [slot_label(f.slot) for f in offered] == [
        "Thursday 10 Dec, 10:00\u201310:30",
        "Thursday 10 Dec, 10:30\u201311:00",
    ]


def test_public_holidays_as_candidate_closed_dates() -> None:
    england = public_holidays("gb", 2026, subdivision="ENG")
    assert Holiday(date(2026, 12, 25), "Christmas Day") in england
    assert Holiday(date(2026, 12, 28), "Boxing Day (observed)") in england
    assert england == sorted(england, key=lambda h: h.day)
    assert date(2026, 7, 4) in {h.day for h in public_holidays("US", 2026)}


def test_unknown_country_says_what_to_write() -> None:
    with pytest.raises(ValueError, match="use an ISO 3166 code such as 'GB'"):
        public_holidays("Narnia", 2026)
