"""How customers write a pickup time ("sat 2pm", "tomorrow at 3", "12/24", "asap", "2").

`dateparser` does the reading, wrapped so the shop's zone, date order and "now" are explicit.
What it gets wrong for us is handled before it is called (see tests/calendar/test_parse.py):

- "tomorrow"/"today" keep the time of day of RELATIVE_BASE: the period ("day"), not the
  time, says no time was given;
- the tzinfo of an aware RELATIVE_BASE is ignored (its wall clock is used as if local), so
  we pass the shop's local wall clock, naive;
- a bare hour ("at 3", "24 dec at 10") becomes a month or a year, so we take it out first
  and pick 3 = 15:00 when that is within opening hours;
- a lone number ("2") becomes a date, so 1-9 is a choice from the offered list;
- "12/24" under DMY becomes the year 2124, so numeric dates are read here, in the locale's
  order (swapped only when the other order is impossible);
- "the 24th" ignores PREFER_DATES_FROM and may land in the past, so it is read here;
- "for", "please" and "noon" with a day make it give up, so they are cleaned out;
- "next friday" is the coming Friday (the same as "friday"), and a week later when today
  is Friday; "this friday" on a Friday is today.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from babel import Locale
from dateparser.date import DateDataParser

from cloudcity.calendar.rules import CalendarRules, default_rules
from cloudcity.calendar.slots import as_utc

MAX_LENGTH = 80  # longer answers are not dates; dateparser's time grows with length
MAX_CHOICE = 9
MONTHS = tuple(calendar.month_name)[1:]  # English on purpose: every dateparser reads it


class Part(StrEnum):
    """A part of the day a customer may name."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"

    @property
    def minutes(self) -> tuple[int, int]:
        """The local minutes [from, to) this part covers: before noon, noon-17:00, after 17:00."""
        return {"morning": (0, 720), "afternoon": (720, 1020), "evening": (1020, 1440)}[self]


@dataclass(frozen=True)
class ExactTime:
    """A precise local time: `at` is aware, in the shop's zone."""

    at: datetime


@dataclass(frozen=True)
class OnDay:
    """A day with no time: any free slot that day (the first)."""

    day: date


@dataclass(frozen=True)
class PartOfDay:
    """A day and a part of it: the first free slot in that part."""

    day: date
    part: Part


@dataclass(frozen=True)
class Earliest:
    """As soon as possible: the first free slot."""


@dataclass(frozen=True)
class Choice:
    """A number picked from the offered list, counting from 1."""

    number: int


@dataclass(frozen=True)
class NotUnderstood:
    """Not a pickup time we can read; `text` is what was looked at."""

    text: str


PickupAnswer = ExactTime | OnDay | PartOfDay | Earliest | Choice | NotUnderstood

_FILLER = re.compile(r"\b(please|pls|plz|thanks|thank you|thx|for|on|around|about|by)\b|[!?,;]")
_CHOICE = re.compile(r"(?:#|no\.?|number|option|choice)?\s*(\d)\s*[.)]?")
_EARLIEST = re.compile(
    r"\b(asap|a\.s\.a\.p\.?|as soon as (possible|you can)|as early as possible"
    r"|earliest|soonest|first (available|possible|free))\b"
)
_PART = re.compile(r"\b(?:in the )?(morning|afternoon|evening)\b")
_NOON = re.compile(r"\b(noon|midday|lunchtime)\b")
_HOUR = re.compile(r"\b(at )?(\d{1,2})(?:[:.](\d{2}))?( ?o'?clock)?(?![\d:.]| ?[ap]\.?m)")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")
_NTH = re.compile(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)")


# Answers that take dateparser down each of its paths: a weekday, a time, a relative day.
WARM_UP_ANSWERS = ("saturday", "sat 2pm", "next friday morning", "tomorrow at 3", "24 Dec 10am")


def warm_up(locale: str) -> None:
    """Load dateparser's language data and compile its patterns for `locale`, once a process.

    Otherwise the first answer in words that a process reads pays for it (0.2-0.5 s here),
    inside that message's write transaction, with every other writer waiting behind it.
    """
    rules = replace(default_rules("UTC"), locale=locale)
    now = datetime.now(UTC)
    for text in WARM_UP_ANSWERS:
        parse_pickup(text, rules=rules, now=now)


def parse_pickup(text: str, *, rules: CalendarRules, now: datetime) -> PickupAnswer:
    """Read a customer's pickup answer against the shop's zone, locale and `now`."""
    cleaned = " ".join(_FILLER.sub(" ", text.casefold()).split())
    if not cleaned or len(text) > MAX_LENGTH:
        return NotUnderstood(text.strip()[:MAX_LENGTH])
    if choice := _CHOICE.fullmatch(cleaned):
        return Choice(int(choice[1])) if 0 < int(choice[1]) <= MAX_CHOICE else NotUnderstood(text)
    if _EARLIEST.search(cleaned):
        return Earliest()
    today = rules.local_today(as_utc(now))
    if nth := _NTH.fullmatch(cleaned):
        return _next_day_of_month(today, int(nth[1])) or NotUnderstood(text)
    return _read(cleaned, rules=rules, now=now) or NotUnderstood(text)


def _read(cleaned: str, *, rules: CalendarRules, now: datetime) -> PickupAnswer | None:
    cleaned = _NOON.sub("12pm", cleaned)
    numeric = _numeric_dates(cleaned, date_order(rules.locale))
    if numeric is None:
        return None
    if part := _PART.search(numeric):
        day = _day_of(numeric[: part.start()] + numeric[part.end() :], rules=rules, now=now)
        return PartOfDay(day, Part(part[1])) if day else None
    if hour := _bare_hour(numeric):
        rest = numeric[: hour.start()] + numeric[hour.end() :]
        day = _day_of(rest, rules=rules, now=now)
        at = _pick_hour(int(hour[2]), int(hour[3] or 0), rules=rules, day=day) if day else None
        return ExactTime(datetime.combine(day, at, tzinfo=rules.tz)) if day and at else None
    return _dateparse(numeric, rules=rules, now=now)


def _bare_hour(text: str) -> re.Match[str] | None:
    """A time without am/pm: "at 3", "2:30", "10 o'clock" (not the 24 of "24 dec")."""
    for match in _HOUR.finditer(text):
        if match[1] or match[3] or match[4]:
            return match
    return None


def _day_of(text: str, *, rules: CalendarRules, now: datetime) -> date | None:
    if not text.strip():
        return rules.local_today(now)
    answer = _dateparse(text, rules=rules, now=now)
    return answer.day if isinstance(answer, OnDay) else None


def _dateparse(text: str, *, rules: CalendarRules, now: datetime) -> PickupAnswer | None:
    local_now = now.astimezone(rules.tz).replace(tzinfo=None)
    data = DateDataParser(languages=_languages(rules.locale), settings=_settings(rules, local_now))
    found = data.get_date_data(text)
    parsed, period = found.date_obj, found.period
    if parsed is None or period not in ("day", "time"):
        return None
    if period == "day":
        return OnDay(parsed.date())
    return ExactTime(parsed.replace(tzinfo=rules.tz, fold=0))


def _settings(rules: CalendarRules, local_now: datetime) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": local_now,
        "TIMEZONE": rules.tz.key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": date_order(rules.locale),
        "RETURN_TIME_AS_PERIOD": True,
    }


@lru_cache(maxsize=64)
def date_order(locale: str) -> str:
    """The order a locale writes numeric dates in: en_US -> MDY, en_GB -> DMY, ja_JP -> YMD."""
    pattern = Locale.parse(locale).date_formats["short"].pattern
    firsts = {letter: pattern.find(letter) for letter in "dMy"}
    return "".join(sorted(firsts, key=lambda k: firsts[k])).upper()


@lru_cache(maxsize=64)
def _languages(locale: str) -> list[str]:
    language = Locale.parse(locale).language
    return [language] if language == "en" else [language, "en"]


def _numeric_dates(text: str, order: str) -> str | None:
    """The text with each d/m (or m/d) date spelt out; None if one is not a real date."""
    failed = False

    def spell(match: re.Match[str]) -> str:
        nonlocal failed
        first, second = int(match[1]), int(match[2])
        day, month = (second, first) if order.startswith("M") else (first, second)
        if not 1 <= month <= 12 and 1 <= day <= 12:
            day, month = month, day  # the other order is the only possible one
        if not (1 <= month <= 12 and 1 <= day <= 31):
            failed = True
            return match[0]
        return " ".join(filter(None, (str(day), MONTHS[month - 1], match[3])))

    spelt = _NUMERIC_DATE.sub(spell, text)
    return None if failed else spelt


def _next_day_of_month(today: date, day: int) -> OnDay | None:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return OnDay(candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _pick_hour(hour: int, minute: int, *, rules: CalendarRules, day: date) -> time | None:
    """A bare hour as the shop means it: 3 is 15:00 if the shop is open then, not at 03:00."""
    if hour > 23 or minute > 59:
        return None
    candidates = [hour, hour + 12] if 1 <= hour < 12 else [hour]
    intervals = rules.hours[day.weekday()]
    for candidate in candidates:
        minutes = candidate * 60 + minute
        if any(a <= minutes < b for a, b in (i.minutes for i in intervals)):
            return time(candidate, minute)
    return time(candidates[-1] if hour < 7 else hour, minute)  # "at 3" is never 3 am
