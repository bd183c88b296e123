"""The shop's rules as plain JSON (stored in the database, edited in the admin) and back."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from cloudcity.calendar.rules import (
    DAY_NAMES,
    CalendarRules,
    CalendarRulesError,
    Capacity,
    Interval,
    YearlyDate,
    zone,
)


def rules_to_json(rules: CalendarRules) -> dict[str, Any]:
    """The rules as JSON values: times as "HH:MM", durations in minutes, dates ISO."""
    return {
        "time_zone": rules.tz.key,
        "locale": rules.locale,
        "hours": {
            DAY_NAMES[day]: [[f"{i.start:%H:%M}", f"{i.end:%H:%M}"] for i in intervals]
            for day, intervals in enumerate(rules.hours)
        },
        "slot_minutes": _minutes(rules.slot_length),
        "lead_hours": rules.lead_time / timedelta(hours=1),
        "lead_hours_by_size": {
            size: lead / timedelta(hours=1) for size, lead in rules.lead_time_by_size.items()
        },
        "cutoff": None if rules.cutoff is None else f"{rules.cutoff:%H:%M}",
        "horizon_days": rules.horizon_days,
        "closed_dates": sorted(day.isoformat() for day in rules.closed_dates),
        "closed_yearly": sorted([y.month, y.day] for y in rules.closed_yearly),
        "per_day": rules.capacity.per_day,
        "per_slot": rules.capacity.per_slot,
    }


def rules_from_json(data: dict[str, Any]) -> CalendarRules:
    """Rules from `rules_to_json`'s shape; CalendarRulesError names what is wrong."""
    try:
        return CalendarRules(
            tz=zone(str(data["time_zone"])),
            locale=str(data.get("locale", "en_US")),
            hours=tuple(_day(data["hours"].get(name, [])) for name in DAY_NAMES),
            slot_length=timedelta(minutes=float(data["slot_minutes"])),
            lead_time=timedelta(hours=float(data["lead_hours"])),
            lead_time_by_size={
                str(size): timedelta(hours=float(hours))
                for size, hours in data.get("lead_hours_by_size", {}).items()
            },
            cutoff=None if data.get("cutoff") is None else time.fromisoformat(data["cutoff"]),
            horizon_days=int(data["horizon_days"]),
            closed_dates=frozenset(date.fromisoformat(d) for d in data.get("closed_dates", [])),
            closed_yearly=frozenset(YearlyDate(m, d) for m, d in data.get("closed_yearly", [])),
            capacity=Capacity(per_day=int(data["per_day"]), per_slot=int(data["per_slot"])),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, CalendarRulesError):
            raise
        raise CalendarRulesError([f"the stored calendar is not readable: {exc!r}"]) from exc


def _day(pairs: list[list[str]]) -> tuple[Interval, ...]:
    return tuple(Interval(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)


def _minutes(length: timedelta) -> int:
    return int(length / timedelta(minutes=1))
