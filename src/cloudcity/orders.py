"""Placing an order: price it from the menu, attach it to its customer, enqueue the receipt."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.customers import customer_for, update_details
from cloudcity.db.models import Customer, Order, OrderEvent
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
class Placed:
    """The order placed (or found again for a repeated idempotency key)."""

    order: Order
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
    customer = customer_for(session, request.address)
    update_details(customer, address=request.address, name=request.name, email=request.email)
    order = _new_order(request, customer, priced, currency)
    winner = _insert_once(session, order, request)
    if winner is not None:
        return Placed(winner, replayed=True)
    _after_placing(session, order)
    return Placed(order, replayed=False)


def _check_client_price(request: OrderRequest, priced: Quote, currency: str) -> None:
    quoted = request.client_price_cents
    if quoted is not None and quoted != priced.total_cents:
        raise PriceMismatch(quoted_cents=quoted, price_cents=priced.total_cents, currency=currency)


def _new_order(request: OrderRequest, customer: Customer, priced: Quote, currency: str) -> Order:
    cake = priced.cake
    return Order(
        customer=customer,
        size=cake.size,
        flavour=cake.flavour,
        frosting=cake.frosting,
        topping=cake.topping,
        price_cents=priced.total_cents,
        currency=currency,
        source=request.source,
        idempotency_key=request.idempotency_key,
        request_fingerprint=request.fingerprint,
    )


def _insert_once(session: orm.Session, order: Order, request: OrderRequest) -> Order | None:
    """Insert the order; None, or the order that won a race for the same idempotency key."""
    if request.idempotency_key is None:
        session.add(order)
        session.flush()
        return None
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request with the same key committed first: answer with its order.
        winner = _replay(session, request)
        if winner is None:
            raise
        return winner
    return None


def _after_placing(session: orm.Session, order: Order) -> None:
    session.add(
        OrderEvent(order_id=order.id, kind="placed", actor=order.source, at=order.placed_at)
    )
    enqueue(
        session,
        kind=RECEIPT_EMAIL,
        key=f"receipt:order:{order.id}",
        recipient=order.customer.email or "",
        order_id=order.id,
    )


def _replay(session: orm.Session, request: OrderRequest) -> Order | None:
    if request.idempotency_key is None:
        return None
    order = session.scalars(
        sa.select(Order).where(Order.idempotency_key == request.idempotency_key)
    ).one_or_none()
    if order is not None and order.request_fingerprint != request.fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different order; use a new key"
        )
    return order


def get_order(session: orm.Session, order_id: int) -> Order | None:
    """One order with its customer."""
    return session.get(Order, order_id)
