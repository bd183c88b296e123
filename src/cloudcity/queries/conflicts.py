"""Orders that no longer fit the shop's calendar after the baker changed it.

Saving the calendar never moves an order: a day newly closed, hours shortened or capacity
lowered leaves booked orders where they are, and they are listed here to reschedule or to
talk over with the customer. Over capacity, the orders placed last are the ones listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import day_slots
from cloudcity.db.models import Order
from cloudcity.queries.schedule import day_bounds, open_pickups


@dataclass(frozen=True)
class Conflict:
    """An open order whose pickup time the calendar no longer allows, and why."""

    order: Order
    problem: str


def conflicts(session: orm.Session, *, rules: CalendarRules, now: datetime) -> list[Conflict]:
    """Open orders from today (shop time) on that the rules refuse, by pickup time."""
    since, _ = day_bounds(rules.local_today(now), rules)
    problems: dict[int, str] = {}
    per_slot: Counter[datetime] = Counter()
    per_day: Counter[date] = Counter()
    for order_id, pickup_at in open_pickups(session, since=since):
        day = pickup_at.astimezone(rules.tz).date()
        problem = _time_problem(rules, day, pickup_at)
        per_slot[pickup_at] += 1
        per_day[day] += 1
        if problem is None and per_day[day] > rules.capacity.per_day:
            problem = f"the day is over its capacity of {rules.capacity.per_day} cakes"
        if problem is None and per_slot[pickup_at] > rules.capacity.per_slot:
            problem = f"the slot is over its capacity of {rules.capacity.per_slot} cakes"
        if problem is not None:
            problems[order_id] = problem
    return _with_orders(session, problems)


def _time_problem(rules: CalendarRules, day: date, pickup_at: datetime) -> str | None:
    if rules.is_closed_date(day):
        return "the shop is now closed that day"
    if not rules.hours[day.weekday()]:
        return f"the shop is now closed on {day:%A}s"
    if all(slot.start != pickup_at for slot in day_slots(rules, day)):
        return "the time is no longer a pickup slot (opening hours or slot length changed)"
    return None


def _with_orders(session: orm.Session, problems: dict[int, str]) -> list[Conflict]:
    if not problems:
        return []
    query = sa.select(Order).where(Order.id.in_(problems)).order_by(Order.pickup_at, Order.id)
    return [Conflict(order, problems[order.id]) for order in session.scalars(query)]
