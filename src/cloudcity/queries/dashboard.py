"""The bakers' dashboard: what to bake by pickup day, what awaits pickup, the last 30 days.

Days are the shop's local dates (CLOUDCITY_TIME_ZONE): "to bake today" are the orders to be
picked up today, whenever they were placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar.slots import wall_instant
from cloudcity.db.dialect import utc_quarter_hour
from cloudcity.db.models import Order
from cloudcity.domain import OrderStatus

LIST_LIMIT = 100
DAY = timedelta(days=1)
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class DayTotal:
    """Orders placed on one local day (cancelled ones left out) and what they are worth."""

    day: date
    orders: int
    revenue_cents: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    today: date
    to_bake_today: list[Order]
    to_bake_tomorrow: int
    overdue: int
    to_arrange: int
    ready: list[Order]
    ready_total: int
    days: list[DayTotal]


def dashboard(session: orm.Session, *, now: datetime, tz: ZoneInfo, days: int = 30) -> Dashboard:
    """The dashboard as of `now` (aware), by the shop's local dates in `tz`."""
    today = now.astimezone(tz).date()
    midnight, tomorrow, after = (wall_instant(today + n * DAY, 0, tz) for n in range(3))
    placed = Order.status == OrderStatus.PLACED
    return Dashboard(
        today=today,
        to_bake_today=to_bake(session, start=midnight, end=tomorrow),
        to_bake_tomorrow=_count(
            session, placed, Order.pickup_at >= tomorrow, Order.pickup_at < after
        ),
        overdue=_count(session, placed, Order.pickup_at < midnight),
        to_arrange=_count(
            session,
            Order.status.in_((OrderStatus.PLACED, OrderStatus.READY)),
            Order.pickup_at.is_(None),
        ),
        ready=ready_orders(session),
        ready_total=_count(session, Order.status == OrderStatus.READY),
        days=daily_totals(session, today=today, tz=tz, days=days),
    )


def to_bake(session: orm.Session, *, start: datetime, end: datetime) -> list[Order]:
    """Orders not ready yet, picked up in [start, end), by pickup time."""
    query = (
        sa.select(Order)
        .where(Order.status == OrderStatus.PLACED, Order.pickup_at >= start, Order.pickup_at < end)
        .order_by(Order.pickup_at, Order.id)
        .limit(LIST_LIMIT)
    )
    return list(session.scalars(query))


def ready_orders(session: orm.Session) -> list[Order]:
    """Orders ready for pickup, the longest waiting first."""
    query = (
        sa.select(Order)
        .where(Order.status == OrderStatus.READY)
        .order_by(Order.ready_at, Order.id)
        .limit(LIST_LIMIT)
    )
    return list(session.scalars(query))


def daily_totals(
    session: orm.Session, *, today: date, tz: ZoneInfo = UTC_ZONE, days: int = 30
) -> list[DayTotal]:
    """Orders and revenue per local day (placed) for the `days` days ending today, zeros too."""
    first = today - timedelta(days=days - 1)
    bucket = utc_quarter_hour(Order.placed_at, session)
    query = (
        sa.select(bucket, sa.func.count(), sa.func.coalesce(sa.func.sum(Order.price_cents), 0))
        .where(
            Order.placed_at >= wall_instant(first, 0, tz),
            Order.placed_at < wall_instant(today + DAY, 0, tz),
            Order.status != OrderStatus.CANCELLED,
        )
        .group_by(bucket)
    )
    found: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for quarter, count, revenue in session.execute(query):
        # fromisoformat: strptime took half the dashboard's time over a month of busy days.
        moment = datetime.fromisoformat(quarter).replace(tzinfo=UTC)
        totals = found[moment.astimezone(tz).date()]
        totals[0] += int(count)
        totals[1] += int(revenue)
    return [
        DayTotal(d, *found.get(d, (0, 0))) for d in (first + timedelta(days=n) for n in range(days))
    ]


def _count(session: orm.Session, *conditions: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Order).where(*conditions)) or 0
