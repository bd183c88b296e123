"""Arrange and inspect outbox tests: place orders, enqueue texts, read the outbox back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cloudcity.clock import Clock, system_clock
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import Customer, Order, OutboxMessage
from cloudcity.db.repositories.values import TranscriptLine
from cloudcity.domain import Cake
from cloudcity.orders import OrderRequest, place_order
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.ports import ReceiptRenderer
from cloudcity.outbox.queue import CANCEL_MESSAGE, READY_MESSAGE
from cloudcity.outbox.worker import Worker
from cloudcity.phones import parse_address
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

CAKE = Cake(size="Medium", flavour="Lemon", frosting="Buttercream", topping="Sprinkles")


def place(
    database: Database,
    *,
    number: str = "whatsapp:+14155550100",
    name: str = "Ana Lima",
    email: str = "ana@example.com",
) -> int:
    """Place an order through the use case (which enqueues its receipt); answers its id."""
    request = OrderRequest(
        address=parse_address(number), name=name, email=email, cake=CAKE, currency="USD"
    )
    with database.unit_of_work() as uow:
        return place_order(uow=uow, request=request, now=system_clock(), reminder_hour=10).order.id


def enqueue_text(
    database: Database, order_id: int, *, kind: str = READY_MESSAGE, **payload: str
) -> None:
    """Enqueue the ready or cancel message of an order, addressed as its customer is."""
    prefix = "ready" if kind == READY_MESSAGE else "cancel"
    assert kind in (READY_MESSAGE, CANCEL_MESSAGE)
    with database.unit_of_work() as uow:
        session = uow.session
        order = session.get(Order, order_id)
        assert order is not None
        uow.outbox.enqueue(
            now=utcnow(),
            kind=kind,
            key=f"{prefix}:order:{order_id}",
            recipient=order.customer.address,
            payload=dict(payload),
            order_id=order_id,
        )


def set_customer(database: Database, order_id: int, **values: Any) -> None:
    """Change the customer of an order (last_inbound_at, opted_out, ...)."""
    with database.unit_of_work() as uow:
        session = uow.session
        order = session.get(Order, order_id)
        assert order is not None
        for name, value in values.items():
            setattr(order.customer, name, value)


def customer_wrote(
    database: Database, order_id: int, at: datetime | None, *, address: str | None = None
) -> None:
    """The order's customer last wrote at `at` (None: never), from `address` (default: the
    order's channel).

    WhatsApp's window is the address's own, so the message is in the transcript as the chat
    records one; `last_inbound_at` follows it as when the chat sees the customer.
    """
    with database.unit_of_work() as uow:
        order = uow.session.get_one(Order, order_id)
        order.customer.last_inbound_at = at
        if at is not None:
            source = address or order.customer.address
            line = TranscriptLine(source, order.customer.id, "in", "hi", at)
            uow.conversations.record(line)


def rows(database: Database, kind: str | None = None) -> list[OutboxMessage]:
    """Every outbox row (of one kind), by id."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    with database.sessions() as session:
        return list(session.scalars(query))


def only(database: Database, kind: str) -> OutboxMessage:
    """The one outbox row of a kind."""
    found = rows(database, kind)
    assert len(found) == 1, found
    return found[0]


def seconds_between(later: datetime, earlier: datetime) -> float:
    """later - earlier in seconds."""
    return (later - earlier).total_seconds()


def orders_ready(database: Database, count: int, *, number: str = "+14155550100") -> list[int]:
    """`count` orders of one customer, each with its ready message and no receipt queued."""
    with database.unit_of_work() as uow:
        session = uow.session
        saved = uow.customers.save_for_order(
            address=parse_address(number), name="Ana Lima", email=None, now=utcnow()
        )
        customer = session.get_one(Customer, saved.id)
        orders = [
            Order(
                customer=customer,
                size="Medium",
                flavour="Lemon",
                frosting="Buttercream",
                topping="None",
                price_cents=3200,
                currency="USD",
            )
            for _ in range(count)
        ]
        session.add_all(orders)
        session.flush()
        for order in orders:
            uow.outbox.enqueue(
                now=utcnow(),
                kind=READY_MESSAGE,
                key=f"ready:order:{order.id}",
                recipient=customer.address,
                order_id=order.id,
            )
        return [order.id for order in orders]


def fake_worker(
    database: Database,
    settings: Settings,
    *,
    email: FakeEmailSender | None = None,
    renderer: ReceiptRenderer | None = None,
    clock: Clock | None = None,
) -> Worker:
    """A worker on fake senders (and a fake renderer unless given), its clock a minute ahead
    so what was just enqueued is due."""
    dispatcher = Dispatcher(
        email=email or FakeEmailSender(),
        messages=FakeMessageSender(),
        renderer=renderer or FakeRenderer(),
        settings=settings,
    )
    chosen = clock or FakeClock(utcnow() + timedelta(minutes=1))
    return Worker(database, dispatcher, settings, clock=chosen, lease=60.0, jitter=lambda: 0.5)
