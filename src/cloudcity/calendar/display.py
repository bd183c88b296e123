"""Pickup times and refusals in words for people, in the shop's time zone and locale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from babel.dates import format_date

from cloudcity.calendar.availability import FreeSlot, Reason, Refusal
from cloudcity.calendar.rules import EN_DASH, CalendarRules
from cloudcity.calendar.slots import Slot, booked_slot

DAY_PATTERN = "EEEE d MMM"  # Saturday 14 Dec (names from the locale: samedi 14 déc.)


def day_label(day: date, *, locale: str = "en_GB") -> str:
    """A date as people say it: Saturday 14 Dec."""
    return format_date(day, DAY_PATTERN, locale=locale)


def slot_label(slot: Slot, *, locale: str = "en_GB") -> str:
    """A slot in the shop's zone: Saturday 14 Dec, 14:00\u201314:30."""
    start, end = slot.local_start, slot.local_end
    return f"{day_label(start.date(), locale=locale)}, {start:%H:%M}{EN_DASH}{end:%H:%M}"


def moment_label(moment: datetime, *, rules: CalendarRules) -> str:
    """An instant in the shop's zone: Saturday 14 Dec, 14:00."""
    local = moment.astimezone(rules.tz)
    return f"{day_label(local.date(), locale=rules.locale)}, {local:%H:%M}"


def numbered(slots: Sequence[FreeSlot], *, locale: str = "en_GB") -> str:
    """The offered slots as a numbered list, one a line, to answer with a number."""
    return "\n".join(f"{n}. {slot_label(f.slot, locale=locale)}" for n, f in enumerate(slots, 1))


def refusal_message(refusal: Refusal, *, rules: CalendarRules) -> str:
    """Why the time can't be booked and what to do, with the alternatives as a numbered list."""
    why = _why(refusal, rules=rules)
    if not refusal.alternatives:
        return why
    offers = numbered(refusal.alternatives, locale=rules.locale)
    return f"{why} Could one of these suit you? Answer with its number:\n{offers}"


def _why(refusal: Refusal, *, rules: CalendarRules) -> str:
    local = refusal.requested.astimezone(rules.tz)
    day = day_label(local.date(), locale=rules.locale)
    match refusal.reason:
        case Reason.TOO_SOON if refusal.earliest is not None:
            first = moment_label(_next_minute(refusal.earliest), rules=rules)
            return f"That's too soon for us to bake it: the earliest pickup is {first}."
        case Reason.TOO_FAR_AHEAD if refusal.last_day is not None:
            last = day_label(refusal.last_day, locale=rules.locale)
            return f"We take bookings up to {last}."
        case Reason.CLOSED_DATE:
            return f"We're closed on {day}."
        case Reason.CLOSED_WEEKDAY:
            return f"We're closed on {local:%A}s."
        case Reason.OUTSIDE_HOURS:
            return f"That's outside our opening hours on {day} ({_hours(local.date(), rules)})."
        case Reason.NOT_ON_SLOT:
            minutes = int(rules.slot_length.total_seconds() // 60)
            return f"Pickups are in {minutes}-minute slots, starting on the {_grid(minutes)}."
        case Reason.DAY_FULL:
            return f"{day} is fully booked."
        case Reason.SLOT_FULL:
            return "That time is fully booked."
    return f"We're fully booked for the next {rules.horizon_days} days, sorry."


def _hours(day: date, rules: CalendarRules) -> str:
    return ", ".join(interval.label() for interval in rules.intervals_on(day)) or "closed"


def _grid(minutes: int) -> str:
    return "hour" if minutes % 60 == 0 else f"hour and every {minutes} minutes after"


def booked_label(pickup_at: datetime, *, rules: CalendarRules) -> str:
    """An order's pickup slot in the shop's zone: Saturday 14 Dec, 14:00\u201314:30."""
    return slot_label(booked_slot(rules, pickup_at), locale=rules.locale)


def _next_minute(moment: datetime) -> datetime:
    """The first whole minute at or after `moment`: 10:00:01 is too soon for a 10:00 pickup."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)
