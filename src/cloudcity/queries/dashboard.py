"""The bakers' dashboard: what to bake today, what awaits pickup, and the last 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.dialect import utc_date
from cloudcity.db.models import Order
from cloudcity.domain import OrderStatus

LIST_LIMIT = 100


@dataclass(frozen=True)
class DayTotal:
    """Orders placed on one UTC day (cancelled ones left out) and what they are worth."""

    day: date
    orders: int
    revenue_cents: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    today: date
    open_today: list[Order]
    open_earlier: int
    ready: list[Order]
    ready_total: int
    days: list[DayTotal]


def dashboard(session: orm.Session, *, now: datetime, days: int = 30) -> Dashboard:
    """The dashboard as of `now` (aware); days are UTC calendar days."""
    today = now.astimezone(UTC).date()
    midnight = _start_of(today)
    return Dashboard(
        today=today,
        open_today=open_orders(session, since=midnight),
        open_earlier=_count(
            session, Order.status == OrderStatus.PLACED, Order.placed_at < midnight
        ),
        ready=ready_orders(session),
        ready_total=_count(session, Order.status == OrderStatus.READY),
        days=daily_totals(session, today=today, days=days),
    )


def open_orders(session: orm.Session, *, since: datetime) -> list[Order]:
    """Orders placed since a moment and not ready yet, oldest first."""
    query = (
        sa.select(Order)
        .where(Order.status == OrderStatus.PLACED, Order.placed_at >= since)
        .order_by(Order.placed_at, Order.id)
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


def daily_totals(session: orm.Session, *, today: date, days: int = 30) -> list[DayTotal]:
    """Orders and revenue per UTC day for the `days` days ending today, zero days included."""
    first = today - timedelta(days=days - 1)
    day = utc_date(Order.placed_at, session).label("day")
    query = (
        sa.select(day, sa.func.count(), sa.func.coalesce(sa.func.sum(Order.price_cents), 0))
        .where(
            Order.placed_at >= _start_of(first),
            Order.placed_at < _start_of(today + timedelta(days=1)),
            Order.status != OrderStatus.CANCELLED,
        )
        .group_by(day)
    )
    found = {row[0]: (int(row[1]), int(row[2])) for row in session.execute(query)}
    return [
        DayTotal(d, *found.get(d, (0, 0))) for d in (first + timedelta(days=n) for n in range(days))
    ]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _count(session: orm.Session, *conditions: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Order).where(*conditions)) or 0
