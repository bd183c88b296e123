"""When a pickup reminder goes: the day before at the shop's hour, on the shop's wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from cloudcity.calendar.display import booked_label
from cloudcity.calendar.reminder import LATE_NOTICE, reminder_time
from cloudcity.calendar.rules import CalendarRules, Interval, default_rules, zone
from cloudcity.calendar.slots import booked_slot

LOS_ANGELES = default_rules("America/Los_Angeles")
AUCKLAND = default_rules("Pacific/Auckland")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rules", "pickup_at", "expected"),
    [
        # Clocks spring forward in Los Angeles on Sunday 8 March 2026 at 02:00: 10:00 that
        # morning is PDT (UTC-7), so 17:00 UTC, not the 18:00 of the day before.
        (LOS_ANGELES, utc(2026, 3, 9, 17, 0), utc(2026, 3, 8, 17, 0)),
        # ... and fall back on Sunday 1 November 2026: 10:00 PST is 18:00 UTC.
        (LOS_ANGELES, utc(2026, 11, 2, 18, 0), utc(2026, 11, 1, 18, 0)),
        # Auckland (UTC+13 in summer): pickup Friday 6 March 14:00 is 01:00 UTC that day;
        # the reminder, Thursday 10:00 NZDT, is Wednesday 21:00 UTC.
        (AUCKLAND, utc(2026, 3, 6, 1, 0), utc(2026, 3, 4, 21, 0)),
        # Auckland falls back on Sunday 5 April 2026 at 03:00: 10:00 that day is NZST (+12).
        (AUCKLAND, utc(2026, 4, 5, 22, 0), utc(2026, 4, 4, 22, 0)),
    ],
)
def test_the_reminder_is_the_day_before_at_ten_on_the_shops_clock(
    rules: CalendarRules, pickup_at: datetime, expected: datetime
) -> None:
    now = pickup_at - timedelta(days=10)
    assert reminder_time(pickup_at, rules=rules, hour=10, now=now) == expected
    assert expected.astimezone(rules.tz).hour == 10


def test_an_hour_the_clocks_skip_is_taken_just_after_the_gap() -> None:
    pickup_at = utc(2026, 3, 9, 17, 0)  # Monday 10:00 PDT
    due = reminder_time(pickup_at, rules=LOS_ANGELES, hour=2, now=utc(2026, 3, 1))
    assert due == utc(2026, 3, 8, 10, 0)  # 03:00 PDT, the first real time after 02:00


def test_when_the_time_has_passed_the_reminder_goes_at_once() -> None:
    pickup_at = utc(2026, 3, 10, 17, 0)  # Tuesday 10:00 PDT
    now = utc(2026, 3, 9, 22, 0)  # Monday 15:00, five hours after Monday's 10:00
    assert reminder_time(pickup_at, rules=LOS_ANGELES, hour=10, now=now) == now


def test_no_reminder_when_the_pickup_is_only_hours_away() -> None:
    pickup_at = utc(2026, 3, 10, 17, 0)
    just_late = pickup_at - LATE_NOTICE
    assert reminder_time(pickup_at, rules=LOS_ANGELES, hour=10, now=just_late) == just_late
    too_late = just_late + timedelta(minutes=1)
    assert reminder_time(pickup_at, rules=LOS_ANGELES, hour=10, now=too_late) is None
    assert reminder_time(pickup_at, rules=LOS_ANGELES, hour=10, now=pickup_at) is None


def test_the_hour_and_the_times_are_checked() -> None:
    with pytest.raises(ValueError, match="0 to 23"):
        reminder_time(utc(2026, 3, 10), rules=LOS_ANGELES, hour=24, now=utc(2026, 3, 1))
    with pytest.raises(ValueError, match="aware"):
        reminder_time(datetime(2026, 3, 10), rules=LOS_ANGELES, hour=10, now=utc(2026, 3, 1))


def test_a_booked_slot_is_read_back_with_its_end_and_label() -> None:
    slot = booked_slot(LOS_ANGELES, utc(2026, 12, 12, 22, 0))
    assert slot.end == utc(2026, 12, 12, 22, 30)
    assert booked_label(slot.start, rules=LOS_ANGELES) == "Saturday 12 Dec, 14:00\u201314:30"


def test_a_slot_the_rules_no_longer_have_lasts_one_slot_length() -> None:
    hourly = CalendarRules(
        tz=zone("America/Los_Angeles"),
        hours=((Interval(time(9), time(17)),),) * 7,
        slot_length=timedelta(hours=1),
    )
    start = utc(2026, 12, 12, 22, 30)  # 14:30: on the old 30-minute grid, not on this one
    assert booked_slot(hourly, start).end == start + timedelta(hours=1)


def test_a_slot_ending_after_the_clocks_fall_back_keeps_its_wall_clock_label() -> None:
    night = CalendarRules(
        tz=zone("America/Los_Angeles"), hours=((Interval(time(0), time(4)),),) * 7
    )
    start = utc(2026, 11, 1, 8, 30)  # 01:30 PDT, the first 01:30 of the night
    assert booked_label(start, rules=night) == "Sunday 1 Nov, 01:30\u201302:00"
