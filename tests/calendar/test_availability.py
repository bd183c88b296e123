"""Free slots, places left, and typed refusals with alternatives."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from cloudcity.calendar import (
    Accepted,
    Booked,
    CalendarRules,
    Capacity,
    Interval,
    PickupQuery,
    Reason,
    Refusal,
    YearlyDate,
    check,
    day_slots,
    default_rules,
    first_free_on,
    free_slots,
    next_free,
)

RULES = dataclasses.replace(
    default_rules("America/Los_Angeles"), closed_yearly=frozenset({YearlyDate(12, 25)})
)
TZ = RULES.tz
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # Tuesday 10:00, before the 16:00 cut-off
SATURDAY = date(2026, 11, 28)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A shop-local moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def query(
    booked: Booked | None = None, *, size: str = "Small", rules: CalendarRules = RULES
) -> PickupQuery:
    """Availability for a cake at NOW."""
    return PickupQuery(rules, NOW, size, booked or Booked())


def refused(verdict: Accepted | Refusal) -> Refusal:
    """The verdict, which must be a refusal."""
    assert isinstance(verdict, Refusal), verdict
    return verdict


def starts(refusal: Refusal) -> list[str]:
    """The alternatives' local starts."""
    return [f"{f.slot.local_start:%a %d %H:%M}" for f in refusal.alternatives]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        PickupQuery(RULES, datetime(2026, 11, 24, 10), None, Booked())


def test_a_free_slot_is_accepted_with_its_places() -> None:
    verdict = check(query(), at(SATURDAY, 14))
    assert verdict == Accepted(day_slots(RULES, SATURDAY)[10], 3)


def test_places_left_is_the_smaller_of_slot_and_day() -> None:
    start = at(SATURDAY, 14)
    assert check(query(Booked({start: 1})), start) == Accepted(day_slots(RULES, SATURDAY)[10], 2)
    nearly_full_day = Booked({start: 1}, {SATURDAY: 19})
    assert isinstance(verdict := check(query(nearly_full_day), start), Accepted)
    assert verdict.places_left == 1


def test_full_slot_is_refused_with_the_nearest_free_slots() -> None:
    start = at(SATURDAY, 14)
    refusal = refused(check(query(Booked({start: 3})), start))
    assert refusal.reason is Reason.SLOT_FULL
    assert starts(refusal) == ["Sat 28 13:00", "Sat 28 13:30", "Sat 28 14:30"]
    assert all(f.slot.start != start for f in refusal.alternatives)


def test_full_day_is_refused_and_skipped_by_free_slots() -> None:
    full = Booked(by_day={SATURDAY: 20})
    refusal = refused(check(query(full), at(SATURDAY, 14)))
    assert refusal.reason is Reason.DAY_FULL
    assert all(f.slot.local_date != SATURDAY for f in refusal.alternatives)
    assert SATURDAY not in {f.slot.local_date for f in free_slots(query(full))}


def test_too_soon_gives_the_earliest_pickup_by_size() -> None:
    small = refused(check(query(), at(date(2026, 11, 25), 14)))
    assert small.reason is Reason.TOO_SOON
    assert small.earliest == at(date(2026, 11, 26), 10)
    assert starts(small) == ["Thu 26 10:00", "Thu 26 10:30", "Thu 26 11:00"]
    large = refused(check(query(size="Large"), at(date(2026, 11, 26), 14)))
    assert large.earliest == at(date(2026, 11, 27), 10)


def test_too_far_ahead() -> None:
    refusal = refused(check(query(), at(date(2027, 1, 26), 10)))
    assert refusal.reason is Reason.TOO_FAR_AHEAD
    assert refusal.last_day == date(2027, 1, 23)
    assert starts(refusal)[-1] == "Sat 23 16:30"


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        (at(date(2026, 11, 30), 10), Reason.CLOSED_WEEKDAY),  # a Monday
        (at(date(2026, 12, 25), 10), Reason.CLOSED_DATE),  # Christmas, yearly
        (at(SATURDAY, 17), Reason.OUTSIDE_HOURS),  # closing time is not a slot
        (at(SATURDAY, 8, 30), Reason.OUTSIDE_HOURS),
        (at(date(2026, 11, 29), 15), Reason.OUTSIDE_HOURS),  # Sunday closes at 14:00
        (at(SATURDAY, 10, 15), Reason.NOT_ON_SLOT),
    ],
)
def test_refusals_by_the_calendar(moment: datetime, reason: Reason) -> None:
    refusal = refused(check(query(), moment))
    assert refusal.reason is reason
    assert len(refusal.alternatives) == 3
    assert refusal.requested == moment


def test_the_second_one_thirty_of_a_fall_back_night_is_not_a_slot() -> None:
    night = CalendarRules(tz=TZ, hours=((Interval(datetime.min.time(), datetime.min.time()),),) * 7)
    now = datetime(2026, 10, 28, 10, tzinfo=TZ)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=TZ)
    first = datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=TZ)
    q = PickupQuery(night, now, None, Booked())
    assert isinstance(check(q, first), Accepted)
    refusal = refused(check(q, second))
    assert refusal.reason is Reason.NOT_ON_SLOT
    # in UTC: an ambiguous local time never equals an instant of another zone (PEP 495)
    assert first.astimezone(UTC) in {f.slot.start for f in refusal.alternatives}


def test_next_free_skips_full_slots_and_starts_at_a_given_moment() -> None:
    thursday = date(2026, 11, 26)
    booked = Booked({at(thursday, 10): 3, at(thursday, 11): 2})
    found = next_free(query(booked), count=3)
    assert [(f"{f.slot.local_start:%H:%M}", f.places_left) for f in found] == [
        ("10:30", 3),
        ("11:00", 1),
        ("11:30", 3),
    ]
    later = next_free(query(booked), after=at(SATURDAY, 16), count=3)
    assert [f"{f.slot.local_start:%a %H:%M}" for f in later] == [
        "Sat 16:00",
        "Sat 16:30",
        "Sun 10:00",
    ]


def test_free_slots_for_a_range_of_days() -> None:
    found = free_slots(query(), first=SATURDAY, last=date(2026, 11, 30))
    assert len(found) == 16 + 8
    assert all(f.places_left == 3 for f in found)


def test_first_free_on_a_day_and_why_not() -> None:
    booked = Booked({at(SATURDAY, 9): 3})
    assert isinstance(verdict := first_free_on(query(booked), SATURDAY), Accepted)
    assert verdict.slot.local_start == at(SATURDAY, 9, 30)
    assert refused(first_free_on(query(), date(2026, 11, 30))).reason is Reason.CLOSED_WEEKDAY
    assert refused(first_free_on(query(), date(2026, 11, 25))).reason is Reason.TOO_SOON
    assert refused(first_free_on(query(), date(2027, 2, 2))).reason is Reason.TOO_FAR_AHEAD
    evening = (17 * 60, 24 * 60)
    assert refused(first_free_on(query(), SATURDAY, within=evening)).reason is Reason.OUTSIDE_HOURS
    all_taken = Booked({s.start: 3 for s in day_slots(RULES, SATURDAY)})
    assert refused(first_free_on(query(all_taken), SATURDAY)).reason is Reason.SLOT_FULL


def test_nothing_free_at_all() -> None:
    closed = dataclasses.replace(RULES, capacity=Capacity(per_day=0))
    assert free_slots(query(rules=closed)) == []
    assert refused(first_free_on(query(rules=closed), SATURDAY)).alternatives == ()


def test_day_capacity_counts_the_shop_date_in_auckland() -> None:
    rules = default_rules("Pacific/Auckland")
    now = datetime(2026, 11, 24, 9, tzinfo=rules.tz)
    saturday_nine = datetime(2026, 11, 28, 9, tzinfo=rules.tz)  # Friday 20:00 UTC
    q = PickupQuery(rules, now, None, Booked(by_day={SATURDAY: 20}))
    assert refused(check(q, saturday_nine)).reason is Reason.DAY_FULL
    q = PickupQuery(rules, now, None, Booked(by_day={date(2026, 11, 27): 20}))
    assert isinstance(check(q, saturday_nine), Accepted)


def test_lead_time_spans_the_spring_clock_change_in_elapsed_hours() -> None:
    now = datetime(2026, 3, 6, 10, tzinfo=TZ)  # Friday 10:00 PST; Sunday 8 March springs forward
    q = PickupQuery(RULES, now, None, Booked())
    assert q.earliest == datetime(2026, 3, 8, 11, tzinfo=TZ)  # 48 elapsed hours = 11:00 PDT
    assert next_free(q, count=1)[0].slot.local_start == datetime(2026, 3, 8, 11, tzinfo=TZ)
    assert q.earliest - now == timedelta(hours=48)
