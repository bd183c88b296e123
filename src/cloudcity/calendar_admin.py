"""What the baker does to the shop's calendar: save new rules, close the public holidays.

Saving never moves an order: orders the new rules no longer allow are listed as conflicts
(`queries.conflicts`) for the baker to reschedule or talk over with the customer.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from cloudcity.calendar.public_holidays import Holiday, public_holidays
from cloudcity.calendar.rules import CalendarRules
from cloudcity.db import UnitOfWork
from cloudcity.pickup import shop_rules


def save_calendar(*, uow: UnitOfWork, rules: CalendarRules, now: datetime) -> None:
    """Store the baker's rules; bookings already made stay where they are."""
    uow.calendar.save_rules(rules, now=now)


def import_holidays(
    *, uow: UnitOfWork, country: str, subdivision: str | None = None, now: datetime
) -> list[Holiday]:
    """Close the shop on the country's public holidays from today to the end of next year.

    Answers the holidays newly closed (ones already closed are left as they are); raises
    ValueError naming the country when no holidays are known for it.
    """
    rules = shop_rules(uow)
    today = rules.local_today(now)
    found = _upcoming(country, subdivision, today)
    new = [holiday for holiday in found if not rules.is_closed_date(holiday.day)]
    if new:
        closed = rules.closed_dates | {holiday.day for holiday in new}
        uow.calendar.save_rules(dataclasses.replace(rules, closed_dates=closed), now=now)
    return new


def _upcoming(country: str, subdivision: str | None, today: date) -> list[Holiday]:
    found: dict[date, Holiday] = {}
    for year in (today.year, today.year + 1):
        for holiday in public_holidays(country, year, subdivision=subdivision):
            if holiday.day >= today:
                found.setdefault(holiday.day, holiday)
    return list(found.values())


__all__ = ["Holiday", "import_holidays", "save_calendar"]
