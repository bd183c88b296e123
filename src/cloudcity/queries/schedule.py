"""The production schedule: orders by pickup day (the shop's date), grouped by slot.

Days are the shop's local dates: a day runs from its local midnight to the next one, which
on the days the clocks change is 23 or 25 hours of UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import Slot, day_slots, wall_instant
from cloudcity.db.models import Order
from cloudcity.domain import OrderStatus

DAY = timedelta(days=1)
OPEN = (OrderStatus.PLACED, OrderStatus.READY)
LIST_LIMIT = 500


@dataclass(frozen=True)
class SlotGroup:
    """The orders to hand over in one slot (or at one off-grid time), in order placed."""

    start: datetime
    end: datetime
    orders: list[Order]


@dataclass(frozen=True)
class ScheduleDay:
    """One pickup day: its slots with orders, cakes booked and the day's capacity."""

    day: date
    groups: list[SlotGroup]
    capacity: int
    closed: bool

    @property
    def booked(self) -> int:
        """Cakes to hand over that day (cancelled orders left out)."""
        return sum(len(group.orders) for group in self.groups)


def day_bounds(day: date, rules: CalendarRules) -> tuple[datetime, datetime]:
    """The UTC instants of a local day's midnight and the next one."""
    return wall_instant(day, 0, rules.tz), wall_instant(day + DAY, 0, rules.tz)


def pickups_between(
    session: orm.Session, *, start: datetime, end: datetime, open_only: bool = False
) -> list[Order]:
    """Orders (not cancelled) picked up in [start, end), by pickup time then order number."""
    statuses = OPEN if open_only else (*OPEN, OrderStatus.PICKED_UP)
    query = (
        sa.select(Order)
        .where(Order.pickup_at >= start, Order.pickup_at < end, Order.status.in_(statuses))
        .order_by(Order.pickup_at, Order.id)
    )
    return list(session.scalars(query))


def schedule(
    session: orm.Session, *, first: date, days: int, rules: CalendarRules
) -> list[ScheduleDay]:
    """`days` pickup days from `first`, each with its orders grouped by slot."""
    start, _ = day_bounds(first, rules)
    _, end = day_bounds(first + (days - 1) * DAY, rules)
    orders = pickups_between(session, start=start, end=end)
    by_day: dict[date, list[Order]] = {}
    for order in orders:
        assert order.pickup_at is not None
        by_day.setdefault(order.pickup_at.astimezone(rules.tz).date(), []).append(order)
    return [_day(first + n * DAY, by_day.get(first + n * DAY, []), rules) for n in range(days)]


def _day(day: date, orders: list[Order], rules: CalendarRules) -> ScheduleDay:
    slots = {slot.start: slot for slot in day_slots(rules, day)}
    groups: dict[datetime, SlotGroup] = {}
    for order in orders:
        assert order.pickup_at is not None
        slot = slots.get(order.pickup_at) or Slot(
            order.pickup_at, order.pickup_at + rules.slot_length, rules.tz
        )
        groups.setdefault(slot.start, SlotGroup(slot.start, slot.end, [])).orders.append(order)
    closed = not rules.intervals_on(day)
    return ScheduleDay(day, list(groups.values()), rules.capacity.per_day, closed)


def to_arrange(session: orm.Session, *, limit: int = LIST_LIMIT) -> list[Order]:
    """Open orders without a pickup time, oldest first."""
    query = (
        sa.select(Order)
        .where(Order.pickup_at.is_(None), Order.status.in_(OPEN))
        .order_by(Order.placed_at, Order.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def open_pickups(session: orm.Session, *, since: datetime) -> Iterable[tuple[int, datetime]]:
    """(order id, pickup time) of every open order picked up from `since`, in pickup order."""
    query = (
        sa.select(Order.id, Order.pickup_at)
        .where(Order.pickup_at >= since, Order.status.in_(OPEN))
        .order_by(Order.pickup_at, Order.id)
    )
    return [(row.id, row.pickup_at) for row in session.execute(query)]
