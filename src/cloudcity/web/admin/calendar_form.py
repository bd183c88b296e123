"""The calendar editor's form: the rules as text fields, and back, with errors per field.

Plain fields rather than a WTForms class: the number of fields follows the menu's sizes and
the week, and CalendarRulesError's problems are sorted onto the fields they are about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from cloudcity.calendar.rules import (
    DAY_NAMES,
    CalendarRules,
    CalendarRulesError,
    Capacity,
    Interval,
    YearlyDate,
)

HOUR = timedelta(hours=1)
INTERVAL = re.compile(r"^(\d{1,2}[:.]\d{2})\s*(?:-|\u2013|to)\s*(\d{1,2}[:.]\d{2})$")
CLOSED_WORDS = {"", "closed", "-", "\u2014"}
GENERAL = "general"
# A problem from CalendarRulesError goes to the first field whose words it starts with.
PROBLEM_FIELDS = (
    ("slot length", "slot_minutes"),
    ("lead time (default)", "lead_hours"),
    ("booking horizon", "horizon_days"),
    ("capacity", "per_day"),
    ("yearly closure", "closed_yearly"),
)
Errors = dict[str, list[str]]


def size_field(size: str) -> str:
    """The form field of a size's own lead time."""
    return "lead_size_" + re.sub(r"\W+", "_", size.casefold())


def form_values(rules: CalendarRules, sizes: Iterable[str]) -> dict[str, str]:
    """The rules as the form's text values."""
    values = {f"hours_{n}": ", ".join(i.label() for i in day) for n, day in enumerate(rules.hours)}
    leads = rules.lead_time_by_size
    values |= {
        "slot_minutes": str(rules.slot_length // timedelta(minutes=1)),
        "lead_hours": _hours(rules.lead_time),
        "cutoff": "" if rules.cutoff is None else f"{rules.cutoff:%H:%M}",
        "horizon_days": str(rules.horizon_days),
        "closed_dates": "\n".join(d.isoformat() for d in sorted(rules.closed_dates)),
        "closed_yearly": "\n".join(
            f"{y.month:02d}-{y.day:02d}" for y in sorted(rules.closed_yearly, key=_month_day)
        ),
        "per_day": str(rules.capacity.per_day),
        "per_slot": str(rules.capacity.per_slot),
    }
    for size in sizes:
        lead = leads.get(size.casefold())
        values[size_field(size)] = "" if lead is None else _hours(lead)
    return values


def parse_rules(
    form: Mapping[str, str], *, tz: ZoneInfo, locale: str, sizes: Iterable[str]
) -> tuple[CalendarRules | None, Errors]:
    """The rules the form describes, or None and every problem by field."""
    errors: Errors = {}
    reader = _Reader(form, errors)
    hours = tuple(reader.hours(f"hours_{n}", DAY_NAMES[n]) for n in range(7))
    leads = {s: own for s in sizes if (own := reader.hours_field(size_field(s), s)) is not None}
    slot = timedelta(minutes=reader.number("slot_minutes", "Slot length"))
    lead = reader.hours_field("lead_hours", "Lead time", required=True) or HOUR * 0
    cutoff = reader.cutoff("cutoff")
    horizon = reader.number("horizon_days", "Booking horizon")
    closed, yearly = reader.dates("closed_dates"), reader.yearly("closed_yearly")
    capacity = Capacity(
        reader.number("per_day", "Cakes a day"), reader.number("per_slot", "Cakes a slot")
    )
    if errors:
        return None, errors
    try:
        rules = CalendarRules(
            tz=tz,
            hours=hours,
            slot_length=slot,
            lead_time=lead,
            lead_time_by_size=leads,
            cutoff=cutoff,
            horizon_days=horizon,
            closed_dates=closed,
            closed_yearly=yearly,
            capacity=capacity,
            locale=locale,
        )
    except CalendarRulesError as exc:
        return None, sort_problems(exc.problems, sizes)
    return rules, {}


def sort_problems(problems: list[str], sizes: Iterable[str]) -> Errors:
    """CalendarRulesError's problems by the field each is about."""
    errors: Errors = {}
    for problem in problems:
        errors.setdefault(_field_of(problem, sizes), []).append(_sentence(problem))
    return errors


def _field_of(problem: str, sizes: Iterable[str]) -> str:
    for n, name in enumerate(DAY_NAMES):
        if problem.startswith(name):
            return f"hours_{n}"
    for size in sizes:
        if problem.startswith(f"lead time ({size.casefold()})"):
            return size_field(size)
    return next((field for words, field in PROBLEM_FIELDS if problem.startswith(words)), GENERAL)


class _Reader:
    """Reads one field at a time, noting what it can't read under the field's name."""

    def __init__(self, form: Mapping[str, str], errors: Errors) -> None:
        self.form = form
        self.errors = errors

    def text(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def number(self, name: str, label: str) -> int:
        text = self.text(name)
        if not text.isdigit():
            self.fail(name, f"{label}: enter a whole number (got {text!r}).")
            return 0
        return int(text)

    def hours_field(self, name: str, label: str, *, required: bool = False) -> timedelta | None:
        text = self.text(name)
        if not text and not required:
            return None
        try:
            hours = float(text)
        except ValueError:
            hours = -1.0
        if not 0 <= hours <= 24 * 365:
            self.fail(name, f"{label}: enter a number of hours such as 48 (got {text!r}).")
            return None
        return hours * HOUR

    def hours(self, name: str, day: str) -> tuple[Interval, ...]:
        text = self.text(name)
        if text.casefold() in CLOSED_WORDS:
            return ()
        intervals = []
        for part in re.split(r"[,;]", text):
            found = INTERVAL.match(part.strip())
            start = _time(found.group(1)) if found else None
            end = _time(found.group(2)) if found else None
            if start is None or end is None:
                message = f"{day}: write hours like 09:00-17:00, or leave empty when closed"
                self.fail(name, f"{message} (could not read {part.strip()!r}).")
                continue
            intervals.append(Interval(start, end))
        return tuple(intervals)

    def cutoff(self, name: str) -> time | None:
        text = self.text(name)
        if not text:
            return None
        found = _time(text)
        if found is None:
            self.fail(name, f"Cut-off: write a time like 16:00, or leave empty (got {text!r}).")
        return found

    def dates(self, name: str) -> frozenset[date]:
        found = set()
        for line in _lines(self.text(name)):
            try:
                found.add(date.fromisoformat(line.split()[0]))
            except ValueError:
                self.fail(name, f"Closed dates: {line!r} is not a date like 2026-12-25.")
        return frozenset(found)

    def yearly(self, name: str) -> frozenset[YearlyDate]:
        found = set()
        for line in _lines(self.text(name)):
            month, _, day = line.split()[0].partition("-")
            if not (month.isdigit() and day.isdigit()):
                self.fail(name, f"Closed every year: {line!r} is not a month-day like 12-25.")
                continue
            found.add(YearlyDate(int(month), int(day)))
        return frozenset(found)


def _time(text: str) -> time | None:
    hours, _, minutes = text.replace(".", ":").partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    if (int(hours), int(minutes)) == (24, 0):
        return time(0, 0)  # midnight at the end of the day
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _hours(length: timedelta) -> str:
    return f"{length / HOUR:g}"


def _month_day(yearly: YearlyDate) -> tuple[int, int]:
    return yearly.month, yearly.day


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
