"""The dashboard: what to bake by pickup day, orders awaiting pickup, the last 30 days."""

from __future__ import annotations

from flask import render_template

from cloudcity.money import format_money
from cloudcity.queries.dashboard import DayTotal, dashboard
from cloudcity.web.admin import bp
from cloudcity.web.admin.chart import Bar, bar_chart
from cloudcity.web.admin.formatting import shop_zone
from cloudcity.web.context import now, reading, settings


@bp.get("/")
def home() -> str:
    """What needs doing now, and how the last 30 days went."""
    board = dashboard(reading().session, now=now(), tz=shop_zone())
    currency = settings().currency

    def money(cents: int) -> str:
        return format_money(cents, currency)

    return render_template(
        "admin/dashboard.html",
        board=board,
        money=money,
        total_orders=sum(day.orders for day in board.days),
        total_revenue=sum(day.revenue_cents for day in board.days),
        orders_chart=bar_chart(
            [_bar(day, day.orders, f"{day.orders} orders") for day in board.days],
            title=f"Orders per day, last {len(board.days)} days",
        ),
        revenue_chart=bar_chart(
            [_bar(day, day.revenue_cents, money(day.revenue_cents)) for day in board.days],
            title=f"Revenue per day, last {len(board.days)} days",
            css_class="revenue",
            axis=lambda cents: format_money(cents, currency).split(".")[0],
        ),
    )


def _bar(day: DayTotal, value: int, words: str) -> Bar:
    label = day.day.strftime("%b %d")
    return Bar(label=label, value=value, tooltip=f"{day.day:%a %d %b}: {words}")
