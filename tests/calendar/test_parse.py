"""Reading customers' pickup answers, against a frozen "now" in the shop's zone."""

from __future__ import annotations

import dataclasses
import random
import string
from datetime import UTC, date, datetime

import pytest
from dateparser.date import DateDataParser

from cloudcity.calendar import default_rules
from cloudcity.calendar.parse import (
    Choice,
    Earliest,
    ExactTime,
    NotUnderstood,
    OnDay,
    Part,
    PartOfDay,
    PickupAnswer,
    date_order,
    parse_pickup,
)

US = default_rules("America/Los_Angeles")
GB = dataclasses.replace(default_rules("Europe/London"), locale="en_GB")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=US.tz)  # Wednesday noon in Los Angeles


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> ExactTime:
    """An exact time in the Los Angeles shop."""
    return ExactTime(datetime(year, month, day, hour, minute, tzinfo=US.tz))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saturday", OnDay(date(2026, 11, 28))),
        ("Sat", OnDay(date(2026, 11, 28))),
        ("for saturday please", OnDay(date(2026, 11, 28))),
        ("sat 2pm", local(11, 28, 14)),
        ("Sat at 2:30pm", local(11, 28, 14, 30)),
        ("sat at 2", local(11, 28, 14)),  # a bare hour within opening hours
        ("saturday 2:30", local(11, 28, 14, 30)),
        ("sat 10 o'clock", local(11, 28, 10)),
        ("sat noon", local(11, 28, 12)),
        ("tomorrow", OnDay(date(2026, 11, 26))),
        ("today", OnDay(date(2026, 11, 25))),
        ("tomorrow at 3", local(11, 26, 15)),
        ("tomorrow at 3pm", local(11, 26, 15)),
        ("at 3", local(11, 25, 15)),
        ("next friday morning", PartOfDay(date(2026, 11, 27), Part.MORNING)),
        ("friday evening", PartOfDay(date(2026, 11, 27), Part.EVENING)),
        ("tomorrow afternoon", PartOfDay(date(2026, 11, 26), Part.AFTERNOON)),
        ("in the morning", PartOfDay(date(2026, 11, 25), Part.MORNING)),
        ("next friday", OnDay(date(2026, 11, 27))),  # the coming Friday, like "friday"
        ("24 Dec 10am", local(12, 24, 10)),
        ("24 dec at 10", local(12, 24, 10)),
        ("dec 24 2026", OnDay(date(2026, 12, 24))),
        ("12/24", OnDay(date(2026, 12, 24))),
        ("12/24/2026", OnDay(date(2026, 12, 24))),
        ("3/4", OnDay(date(2027, 3, 4))),  # month first in en_US, next March
        ("24/12", OnDay(date(2026, 12, 24))),  # only one order is possible
        ("the 24th", OnDay(date(2026, 12, 24))),  # 24 November has passed
        ("feb 29", OnDay(date(2028, 2, 29))),  # the next leap day
        ("as soon as possible", Earliest()),
        ("ASAP!", Earliest()),
        ("earliest please", Earliest()),
        ("first available", Earliest()),
        ("2", Choice(2)),
        ("#3", Choice(3)),
        ("option 1", Choice(1)),
        ("0", NotUnderstood("0")),
        ("12", NotUnderstood("12")),
        ("13/13", NotUnderstood("13/13")),
        ("31/11", NotUnderstood("31/11")),
        ("sat at 25", NotUnderstood("sat at 25")),
        ("banana", NotUnderstood("banana")),
        ("", NotUnderstood("")),
    ],
)
def test_answers_in_los_angeles(text: str, expected: PickupAnswer) -> None:
    assert parse_pickup(text, rules=US, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/4", OnDay(date(2027, 4, 3))),  # day first in en_GB: 3 April
        ("12/24", OnDay(date(2026, 12, 24))),  # 24 can only be the day
        ("24/12 at 11", ExactTime(datetime(2026, 12, 24, 11, tzinfo=GB.tz))),
    ],
)
def test_numeric_dates_follow_the_shop_locale(text: str, expected: PickupAnswer) -> None:
    assert parse_pickup(text, rules=GB, now=NOW) == expected


def test_date_order_from_babel() -> None:
    assert [date_order(x) for x in ("en_US", "en_GB", "de_DE", "ja_JP")] == [
        "MDY",
        "DMY",
        "DMY",
        "YMD",
    ]


def test_on_a_friday_next_friday_is_a_week_later_and_this_friday_is_today() -> None:
    friday = datetime(2026, 11, 27, 12, tzinfo=US.tz)
    assert parse_pickup("next friday", rules=US, now=friday) == OnDay(date(2026, 12, 4))
    assert parse_pickup("friday", rules=US, now=friday) == OnDay(date(2026, 12, 4))
    assert parse_pickup("this friday", rules=US, now=friday) == OnDay(date(2026, 11, 27))


def test_tomorrow_is_the_shop_date_in_auckland_not_the_utc_date() -> None:
    auckland = default_rules("Pacific/Auckland")
    now = datetime(2026, 11, 27, 20, tzinfo=UTC)  # Saturday 09:00 in Auckland, Friday in UTC
    assert parse_pickup("tomorrow", rules=auckland, now=now) == OnDay(date(2026, 11, 29))
    assert parse_pickup("today 2pm", rules=auckland, now=now) == ExactTime(
        datetime(2026, 11, 28, 14, tzinfo=auckland.tz)
    )


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_pickup("saturday", rules=US, now=datetime(2026, 11, 25, 12))


def test_long_answers_are_refused_without_parsing() -> None:
    text = "saturday " * 20
    assert parse_pickup(text, rules=US, now=NOW) == NotUnderstood(text.strip()[:80])


def test_any_answer_gets_an_answer_never_an_error() -> None:
    """Random text and word salad are each read as something (how fast: bench.pickup_parse)."""
    rng = random.Random(14)
    alphabet = string.ascii_lowercase + string.digits + " /:.-,"
    words = ["sat", "next", "at", "2pm", "tomorrow", "12/24", "dec", "24", "morning", "the"]
    texts = ["".join(rng.choices(alphabet, k=rng.randint(1, 80))) for _ in range(100)]
    texts += [" ".join(rng.choices(words, k=16))[:80] for _ in range(100)]
    texts += ["1" * 80, "1/" * 40, "at 1 " * 16, "morning " * 10]
    for text in texts:
        answer = parse_pickup(text, rules=US, now=NOW)
        assert isinstance(answer, ExactTime | OnDay | PartOfDay | Earliest | Choice | NotUnderstood)


def parse_raw(text: str) -> tuple[datetime | None, str | None]:
    """dateparser on its own, configured as the wrapper configures it (naive local base)."""
    settings = {
        "RELATIVE_BASE": datetime(2026, 11, 25, 12, 0),
        "TIMEZONE": "America/Los_Angeles",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_TIME_AS_PERIOD": True,
    }
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    return found.date_obj, found.period


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("tomorrow", (datetime(2026, 11, 26, 12), "day")),  # keeps the base's time of day
        ("tomorrow at 3", (datetime(2026, 11, 26, 12), "day")),  # the 3 is lost
        ("24 dec at 10", (datetime(2110, 12, 24), "day")),  # the 10 is a year
        ("2", (datetime(2026, 11, 2), "day")),  # a choice number is a date, in the past
        ("12/24", (datetime(2124, 11, 12), "day")),  # DMY reads 24 as a year
        ("the 24th", (datetime(2026, 11, 24), "day")),  # in the past despite "future"
        ("for saturday", (None, "day")),
    ],
)
def test_dateparser_quirks_the_wrapper_works_around(
    text: str, raw: tuple[datetime | None, str | None]
) -> None:
    """If one of these starts failing, dateparser changed: re-check parse.py's workarounds."""
    assert parse_raw(text) == raw
