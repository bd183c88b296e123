"""The dashboard: today's open orders, orders awaiting pickup, and orders/revenue per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.models import Customer, Order
from cloudcity.domain import Channel, OrderStatus
from cloudcity.queries.dashboard import DayTotal, daily_totals, dashboard
from cloudcity.web.admin.chart import Bar, bar_chart
from tests.support.admin import AuthActions

NOW = datetime(2025, 3, 15, 14, 30, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")


def add_order(
    session: orm.Session,
    *,
    at: datetime,
    price_cents: int = 3000,
    status: OrderStatus = OrderStatus.PLACED,
    pickup_at: datetime | None = None,
) -> Order:
    """An order for the one test customer, placed at a given moment."""
    customer = session.get(Customer, 1) or Customer(
        id=1, phone="+15555550100", channel=Channel.SMS, name="Lando"
    )
    order = Order(
        customer=customer,
        size="Small",
        flavour="Vanilla",
        frosting="Buttercream",
        topping="None",
        price_cents=price_cents,
        currency="USD",
        status=status,
        placed_at=at,
        ready_at=at + timedelta(hours=2) if status is OrderStatus.READY else None,
        pickup_at=pickup_at,
    )
    session.add(order)
    session.flush()
    return order


def test_daily_totals_group_by_utc_day_and_skip_cancelled(session: orm.Session) -> None:
    today = NOW.date()
    add_order(session, at=NOW, price_cents=2000)
    add_order(session, at=datetime(2025, 3, 15, 0, 0, tzinfo=UTC), price_cents=350)
    add_order(session, at=datetime(2025, 3, 14, 23, 59, 59, tzinfo=UTC), price_cents=4200)
    # 01:00 on the 15th in UTC+02:00 is still the 14th in UTC.
    add_order(
        session,
        at=datetime(2025, 3, 15, 1, 0, tzinfo=timezone(timedelta(hours=2))),
        price_cents=100,
    )
    add_order(session, at=NOW - timedelta(days=3), status=OrderStatus.CANCELLED)
    add_order(session, at=NOW - timedelta(days=29), price_cents=999, status=OrderStatus.PICKED_UP)
    add_order(session, at=NOW - timedelta(days=30), price_cents=5000)
    add_order(session, at=NOW + timedelta(days=1), price_cents=5000)
    session.commit()

    totals = daily_totals(session, today=today, days=30)

    assert len(totals) == 30
    assert totals[0] == DayTotal(date(2025, 2, 14), 1, 999)
    assert totals[-1] == DayTotal(date(2025, 3, 15), 2, 2350)
    assert totals[-2] == DayTotal(date(2025, 3, 14), 2, 4300)
    assert totals[-4] == DayTotal(date(2025, 3, 12), 0, 0)
    assert sum(t.orders for t in totals) == 5
    assert sum(t.revenue_cents for t in totals) == 999 + 2350 + 4300


def test_daily_totals_by_the_shops_day(session: orm.Session) -> None:
    # 06:59 UTC on the 15th is still the 14th in Los Angeles (PDT from 9 Mar); 07:00 is the 15th.
    add_order(session, at=datetime(2025, 3, 15, 6, 59, tzinfo=UTC), price_cents=100)
    add_order(session, at=datetime(2025, 3, 15, 7, 0, tzinfo=UTC), price_cents=200)
    # Kathmandu is 5:45 ahead: 18:14 UTC on the 14th is 23:59 there, 18:15 would be the 15th.
    add_order(session, at=datetime(2025, 3, 14, 18, 14, tzinfo=UTC), price_cents=400)
    session.commit()
    la = daily_totals(session, today=NOW.date(), tz=LA, days=2)
    assert la == [DayTotal(date(2025, 3, 14), 2, 500), DayTotal(date(2025, 3, 15), 1, 200)]
    nepal = daily_totals(session, today=NOW.date(), tz=ZoneInfo("Asia/Kathmandu"), days=2)
    assert nepal == [DayTotal(date(2025, 3, 14), 1, 400), DayTotal(date(2025, 3, 15), 2, 300)]


def test_to_bake_counts_by_pickup_day_not_placed_day(session: orm.Session) -> None:
    # NOW is 07:30 on Sat 15 Mar in Los Angeles. Today runs 07:00 UTC to 07:00 UTC tomorrow.
    today_early = add_order(session, at=NOW - timedelta(days=5), pickup_at=NOW + timedelta(hours=1))
    today_late = add_order(
        session, at=NOW - timedelta(days=3), pickup_at=datetime(2025, 3, 16, 6, 30, tzinfo=UTC)
    )
    add_order(session, at=NOW, pickup_at=datetime(2025, 3, 16, 7, 0, tzinfo=UTC))  # tomorrow
    add_order(session, at=NOW, pickup_at=datetime(2025, 3, 16, 20, 0, tzinfo=UTC))  # tomorrow
    add_order(session, at=NOW - timedelta(days=9), pickup_at=NOW - timedelta(days=1))  # overdue
    add_order(session, at=NOW - timedelta(hours=1))  # placed today, no pickup: to arrange
    ready = add_order(session, at=NOW - timedelta(days=1), status=OrderStatus.READY)
    add_order(session, at=NOW, status=OrderStatus.CANCELLED, pickup_at=NOW + timedelta(hours=2))
    session.commit()

    board = dashboard(session, now=NOW, tz=LA)

    assert board.today == date(2025, 3, 15)
    assert [o.id for o in board.to_bake_today] == [today_early.id, today_late.id]
    assert board.to_bake_tomorrow == 2
    assert board.overdue == 1
    assert board.to_arrange == 2  # the placed one and the ready one
    assert [o.id for o in board.ready] == [ready.id]
    assert board.ready_total == 1


# The /admin/ page ------------------------------------------------------------------------


def test_dashboard_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_dashboard_page_shows_orders_figures_and_charts(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    now = utcnow()
    today = add_order(session, at=now, price_cents=4550, pickup_at=now)
    ready = add_order(session, at=now - timedelta(days=1), status=OrderStatus.READY)
    add_order(session, at=now - timedelta(days=3), price_cents=1000, status=OrderStatus.PICKED_UP)
    session.commit()
    auth.login()
    response = client.get("/admin/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<a href="/admin/orders/{today.id}">{today.id}</a>' in page
    assert f'<a href="/admin/orders/{ready.id}">{ready.id}</a>' in page
    assert "<strong>3</strong> orders in 30 days" in page
    assert "<strong>$85.50</strong> revenue in 30 days" in page
    assert page.count('<svg viewBox="0 0 720 180" role="img"') == 2
    assert page.count('<rect class="bar') == 60
    local = now.astimezone(LA)  # days are the shop's
    assert f"{local:%a %d %b}: $45.50" in page
    assert f'<td>{local.date().isoformat()}</td><td class="num">1</td>' in page


def test_chart_escapes_its_words() -> None:
    svg = bar_chart([Bar("<a>", 3, "x & y")], title='"quoted"')
    assert "&lt;a&gt;" in svg
    assert "x &amp; y" in svg
    assert 'aria-label="&#34;quoted&#34;"' in svg


def test_chart_of_no_orders_draws_empty_bars() -> None:
    svg = bar_chart([Bar("Mar 01", 0, "0 orders")], title="Orders")
    assert 'height="0.0"' in svg
