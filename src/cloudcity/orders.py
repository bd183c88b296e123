"""Placing an order: price it from the menu, attach it to its customer, enqueue the receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.outbox import NewMessage
from cloudcity.db.repositories.values import NewOrder, PlacedOrder
from cloudcity.domain import Address, Cake, OrderStatus
from cloudcity.metrics import ORDERS_PLACED
from cloudcity.money import format_money
from cloudcity.outbox.queue import RECEIPT_EMAIL
from cloudcity.pickup import PickupUnavailable, book_pickup, free_pickup, shop_rules
from cloudcity.pricing import Quote, quote
from cloudcity.reminders import reminder_message

__all__ = [
    "IdempotencyConflict",
    "OrderRequest",
    "PickupUnavailable",
    "Placed",
    "PlacedOrder",
    "PriceMismatch",
]


@dataclass(frozen=True)
class OrderRequest:
    """Everything needed to place an order, already parsed and normalised."""

    address: Address
    name: str
    email: str
    cake: Cake
    currency: str
    client_price_cents: int | None = None
    idempotency_key: str | None = None
    fingerprint: str | None = None
    source: str = "api"
    pickup_at: datetime | None = None  # None: the pickup is arranged later
    inscription: str | None = None  # checked by cloudcity.order_text.inscription
    note: str | None = None  # checked by cloudcity.order_text.note


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


def place_order(
    *, uow: UnitOfWork, request: OrderRequest, now: datetime, reminder_hour: int
) -> Placed:
    """Place an order; a repeated idempotency key returns the first order placed with it.

    With a pickup time, the customer's reminder is enqueued for `reminder_hour` (shop time)
    the day before.
    """
    earlier = _replay(uow, request)
    if earlier is not None:
        return Placed(earlier, replayed=True)
    priced = quote(uow=uow, cake=request.cake)
    _check_client_price(request, priced)
    customer = uow.customers.save_for_order(
        address=request.address, name=request.name, email=request.email, now=now
    )
    pickup_at = _book(uow, request, priced, now)
    new = _new_order(request, customer.id, priced, now, pickup_at)
    order_id = _add(uow, new)
    if order_id is None:  # lost a race for the same idempotency key
        if pickup_at is not None:
            free_pickup(uow=uow, pickup_at=pickup_at, rules=shop_rules(uow))
        winner = _replay(uow, request)
        assert winner is not None
        return Placed(winner, replayed=True)
    email = customer.email or ""
    uow.orders.record_event(order_id=order_id, kind="placed", actor=request.source, at=now)
    receipt = NewMessage(RECEIPT_EMAIL, f"receipt:order:{order_id}", email, order_id=order_id)
    reminder = _reminder(uow, request, order_id, pickup_at, hour=reminder_hour, now=now)
    # One statement for both: every statement is time the SQLite writer lock is held.
    uow.outbox.enqueue_all([receipt] if reminder is None else [receipt, reminder], now=now)
    # Counted here, the one door every order passes (API, chat, admin), once it is kept.
    uow.after_commit(ORDERS_PLACED.labels(request.source).inc)
    return Placed(_placed(new, order_id, email), replayed=False)


def _check_client_price(request: OrderRequest, priced: Quote) -> None:
    quoted = request.client_price_cents
    if quoted is not None and quoted != priced.total_cents:
        raise PriceMismatch(
            quoted_cents=quoted, price_cents=priced.total_cents, currency=request.currency
        )


def _book(uow: UnitOfWork, request: OrderRequest, priced: Quote, now: datetime) -> datetime | None:
    if request.pickup_at is None:
        return None
    # Only the chat holds slots while a customer types; other orders have no hold to convert.
    address = request.address.twilio if request.source == "chat" else None
    size = priced.cake.size
    slot = book_pickup(uow=uow, start=request.pickup_at, size=size, now=now, address=address)
    return slot.start


def _reminder(
    uow: UnitOfWork,
    request: OrderRequest,
    order_id: int,
    pickup_at: datetime | None,
    *,
    hour: int,
    now: datetime,
) -> NewMessage | None:
    if pickup_at is None:
        return None
    return reminder_message(
        order_id=order_id,
        recipient=request.address.twilio,
        pickup_at=pickup_at,
        rules=shop_rules(uow),
        hour=hour,
        now=now,
    )


def _new_order(
    request: OrderRequest,
    customer_id: int,
    priced: Quote,
    now: datetime,
    pickup_at: datetime | None,
) -> NewOrder:
    return NewOrder(
        customer_id=customer_id,
        cake=priced.cake,
        price_cents=priced.total_cents,
        currency=request.currency,
        source=request.source,
        idempotency_key=request.idempotency_key,
        request_fingerprint=request.fingerprint,
        placed_at=now,
        pickup_at=pickup_at,
        line_cents=priced.line_cents,
        allergens=priced.allergens,
        may_contain=priced.may_contain,
        inscription=request.inscription,
        note=request.note,
    )


def _add(uow: UnitOfWork, new: NewOrder) -> int | None:
    # A savepoint only when an idempotency key can race: it costs a round trip.
    if new.idempotency_key is None:
        return uow.orders.add(new)
    return uow.orders.add_unless_key_taken(new)


def _placed(new: NewOrder, order_id: int, email: str) -> PlacedOrder:
    return PlacedOrder(
        id=order_id,
        placed_at=new.placed_at,
        email=email,
        cake=new.cake,
        price_cents=new.price_cents,
        currency=new.currency,
        status=OrderStatus.PLACED,
        pickup_at=new.pickup_at,
        inscription=new.inscription,
        note=new.note,
    )


def _replay(uow: UnitOfWork, request: OrderRequest) -> PlacedOrder | None:
    if request.idempotency_key is None:
        return None
    found = uow.orders.by_idempotency_key(request.idempotency_key)
    if found is not None and found.request_fingerprint != request.fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different order; use a new key"
        )
    return found
