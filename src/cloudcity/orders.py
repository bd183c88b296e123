"""Placing an order: price it from the menu, attach it to its customer, enqueue the receipt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.customers import save_customer
from cloudcity.db.base import table_of, utcnow
from cloudcity.db.models import Customer, Order, OrderEvent, OrderStatus
from cloudcity.money import format_money
from cloudcity.outbox.queue import RECEIPT_EMAIL, enqueue
from cloudcity.phones import Address
from cloudcity.pricing import Cake, Quote, quote


@dataclass(frozen=True)
class OrderRequest:
    """Everything needed to place an order, already parsed and normalised."""

    address: Address
    name: str
    email: str
    cake: Cake
    client_price_cents: int | None = None
    idempotency_key: str | None = None
    fingerprint: str | None = None
    source: str = "api"


@dataclass(frozen=True)
class PlacedOrder:
    """An order as it was placed: what the API answers and the chat confirms."""

    id: int
    placed_at: datetime
    email: str
    cake: Cake
    price_cents: int
    currency: str
    status: OrderStatus


@dataclass(frozen=True)
class Placed:
    """The order placed (or found again for a repeated idempotency key)."""

    order: PlacedOrder
    replayed: bool


class PriceMismatch(ValueError):
    """The client quoted a price that is not the server's price."""

    def __init__(self, *, quoted_cents: int, price_cents: int, currency: str) -> None:
        super().__init__(
            f"the price sent ({format_money(quoted_cents, currency)}) is not the current price "
            f"({format_money(price_cents, currency)})"
        )
        self.price_cents = price_cents


class IdempotencyConflict(ValueError):
    """An Idempotency-Key was reused for a different request."""


def place_order(session: orm.Session, *, request: OrderRequest, currency: str) -> Placed:
    """Place an order in the caller's unit of work; a repeated idempotency key returns the first."""
    earlier = _replay(session, request)
    if earlier is not None:
        return Placed(earlier, replayed=True)
    priced = quote(session, request.cake)
    _check_client_price(request, priced, currency)
    customer = save_customer(
        session, address=request.address, name=request.name, email=request.email
    )
    row = _order_row(request, customer.id, priced, currency)
    inserted = _insert_once(session, row, request)
    if isinstance(inserted, PlacedOrder):  # lost a race for the same idempotency key
        return Placed(inserted, replayed=True)
    email = customer.email or ""
    _after_placing(session, inserted, row, email=email)
    return Placed(_placed(row | {"id": inserted, "email": email}), replayed=False)


def _check_client_price(request: OrderRequest, priced: Quote, currency: str) -> None:
    quoted = request.client_price_cents
    if quoted is not None and quoted != priced.total_cents:
        raise PriceMismatch(quoted_cents=quoted, price_cents=priced.total_cents, currency=currency)


# Plain INSERTs, each built once: placing an order is the hot path of the API and the chat,
# and the ORM's unit-of-work flush costs more than the three rows it writes.
_ORDERS = table_of(Order)
_INSERT_ORDER = sa.insert(_ORDERS).returning(_ORDERS.c.id)
_INSERT_EVENT = sa.insert(table_of(OrderEvent))
_PLACED_COLUMNS = (
    _ORDERS.c.id,
    _ORDERS.c.placed_at,
    table_of(Customer).c.email,
    _ORDERS.c.size,
    _ORDERS.c.flavour,
    _ORDERS.c.frosting,
    _ORDERS.c.topping,
    _ORDERS.c.price_cents,
    _ORDERS.c.currency,
    _ORDERS.c.status,
    _ORDERS.c.request_fingerprint,
)
_BY_IDEMPOTENCY_KEY = (
    sa.select(*_PLACED_COLUMNS)
    .join_from(_ORDERS, table_of(Customer))
    .where(_ORDERS.c.idempotency_key == sa.bindparam("key", type_=sa.String))
)


def _order_row(
    request: OrderRequest, customer_id: int, priced: Quote, currency: str
) -> dict[str, Any]:
    cake = priced.cake
    return {
        "customer_id": customer_id,
        "size": cake.size,
        "flavour": cake.flavour,
        "frosting": cake.frosting,
        "topping": cake.topping,
        "price_cents": priced.total_cents,
        "currency": currency,
        "status": OrderStatus.PLACED,
        "source": request.source,
        "idempotency_key": request.idempotency_key,
        "request_fingerprint": request.fingerprint,
        "placed_at": utcnow(),
    }


def _insert_once(
    session: orm.Session, row: dict[str, Any], request: OrderRequest
) -> int | PlacedOrder:
    """Insert the order and return its id, or the order that won a race for the same key."""
    if request.idempotency_key is None:
        return int(session.execute(_INSERT_ORDER, row).scalar_one())
    try:
        with session.begin_nested():
            return int(session.execute(_INSERT_ORDER, row).scalar_one())
    except sa.exc.IntegrityError:
        # Another request with the same key committed first: answer with its order.
        winner = _replay(session, request)
        if winner is None:
            raise
        return winner


def _after_placing(session: orm.Session, order_id: int, row: dict[str, Any], *, email: str) -> None:
    event = {"order_id": order_id, "kind": "placed", "actor": row["source"], "at": row["placed_at"]}
    session.execute(_INSERT_EVENT, event)
    enqueue(
        session,
        kind=RECEIPT_EMAIL,
        key=f"receipt:order:{order_id}",
        recipient=email,
        order_id=order_id,
    )


def _placed(values: Mapping[Any, Any]) -> PlacedOrder:
    """The order as placed, from its row (as inserted, or as read back for a replay)."""
    cake = Cake(values["size"], values["flavour"], values["frosting"], values["topping"])
    return PlacedOrder(
        id=values["id"],
        placed_at=values["placed_at"],
        email=values["email"] or "",
        cake=cake,
        price_cents=values["price_cents"],
        currency=values["currency"],
        status=values["status"],
    )


def _replay(session: orm.Session, request: OrderRequest) -> PlacedOrder | None:
    if request.idempotency_key is None:
        return None
    found = session.execute(_BY_IDEMPOTENCY_KEY, {"key": request.idempotency_key}).one_or_none()
    if found is None:
        return None
    if found.request_fingerprint != request.fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different order; use a new key"
        )
    return _placed(found._mapping)


def get_order(session: orm.Session, order_id: int) -> Order | None:
    """One order with its customer."""
    return session.get(Order, order_id)
