"""Placing an order saves its customer: one row per number, the details last given kept."""

from __future__ import annotations

import sqlalchemy as sa

from cloudcity.clock import system_clock
from cloudcity.db import Database
from cloudcity.db.models import Customer, OutboxMessage
from cloudcity.domain import Cake, Channel
from cloudcity.orders import OrderRequest, PlacedOrder, place_order
from cloudcity.phones import parse_address

CAKE = Cake(size="Small", flavour="Vanilla", frosting="Buttercream", topping="None")
PHONE = "+14155550100"


def _request(*, number: str, name: str, email: str) -> OrderRequest:
    return OrderRequest(
        address=parse_address(number), name=name, email=email, cake=CAKE, currency="USD"
    )


def _order(
    database: Database,
    *,
    number: str = f"whatsapp:{PHONE}",
    name: str = "Ana",
    email: str = "ana@example.com",
) -> PlacedOrder:
    request = _request(number=number, name=name, email=email)
    with database.unit_of_work() as uow:
        return place_order(uow=uow, request=request, now=system_clock(), reminder_hour=10).order


def _customers(database: Database) -> list[tuple[str, Channel, str | None, str | None]]:
    with database.sessions() as session:
        found = session.scalars(sa.select(Customer).order_by(Customer.id))
        return [(c.phone, c.channel, c.name, c.email) for c in found]


def _receipt_to(database: Database, order: PlacedOrder) -> str:
    with database.sessions() as session:
        query = sa.select(OutboxMessage.recipient).where(OutboxMessage.order_id == order.id)
        return session.scalars(query).one()


def test_a_returning_customer_gets_the_details_of_their_latest_order(database: Database) -> None:
    _order(database)
    placed = _order(database, number=PHONE, name="Ana B", email="ana@new.example")
    assert placed.email == "ana@new.example"
    assert _receipt_to(database, placed) == "ana@new.example"
    assert _customers(database) == [(PHONE, Channel.SMS, "Ana B", "ana@new.example")]


def test_an_empty_name_or_email_keeps_the_one_on_file(database: Database) -> None:
    _order(database)
    placed = _order(database, name="", email="")
    assert placed.email == "ana@example.com"
    assert _receipt_to(database, placed) == "ana@example.com"
    assert _customers(database) == [(PHONE, Channel.WHATSAPP, "Ana", "ana@example.com")]


def test_a_new_customer_with_no_name_is_saved_without_one(database: Database) -> None:
    placed = _order(database, name="")
    assert placed.email == "ana@example.com"
    assert _customers(database) == [(PHONE, Channel.WHATSAPP, None, "ana@example.com")]


def test_placing_an_order_answers_with_the_details_just_saved(database: Database) -> None:
    _order(database)
    request = _request(number=PHONE, name="Ana B", email="ana@new.example")
    with database.unit_of_work() as uow:
        placed = place_order(uow=uow, request=request, now=system_clock(), reminder_hour=10)
        assert placed.order.email == "ana@new.example"
    assert _customers(database) == [(PHONE, Channel.SMS, "Ana B", "ana@new.example")]
