"""Helpers for the JSON API tests: a valid order body, and what the database holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import Customer, Order, OutboxMessage


def order_body(**changes: Any) -> dict[str, Any]:
    """A valid POST /api/order body (a medium chocolate cake, $30.00)."""
    body: dict[str, Any] = {
        "customer": {"number": "whatsapp:+14155550100", "name": "Ana", "email": "ana@example.com"},
        "cake": {
            "size": "Medium",
            "flavour": "Chocolate",
            "frosting": "Buttercream",
            "topping": "None",
        },
    }
    body.update(changes)
    return body


def counts(session: orm.Session) -> tuple[int, int, int]:
    """How many customers, orders and outbox rows the database holds."""
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Customer, Order, OutboxMessage)
    )
