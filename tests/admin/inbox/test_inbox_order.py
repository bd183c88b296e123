"""A baker places an order for the customer of a conversation: the API's use case, server-priced."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Conversation, Order
from cloudcity.domain import Cake
from cloudcity.pricing import quote
from tests.conftest import uow_on
from tests.support.admin import AuthActions
from tests.support.chat import Phone

CAKE = {"size": "Small", "flavour": "Vanilla", "frosting": "Buttercream", "topping": "Sprinkles"}


@pytest.fixture
def conversation(phone: Callable[..., Phone], session: orm.Session) -> Conversation:
    """A WhatsApp customer who wrote in and never ordered."""
    phone("whatsapp:+14155550100").say("hi")
    return session.scalars(sa.select(Conversation)).one()


def orders(session: orm.Session) -> list[Order]:
    session.rollback()  # a fresh snapshot: the app wrote in sessions of its own
    return list(session.scalars(sa.select(Order).order_by(Order.id)))


def order_form(conversation: Conversation, **fields: str) -> dict[str, str]:
    return {**CAKE, "name": "Ana Lima", "email": "ana@example.com", "form_key": "k" * 16} | fields


@pytest.mark.usefixtures("csrf")
def test_an_order_placed_from_the_conversation_is_priced_by_the_server(
    client: FlaskClient, auth: AuthActions, conversation: Conversation, session: orm.Session
) -> None:
    auth.login()
    page = client.get(f"/admin/inbox/{conversation.id}").get_data(as_text=True)
    assert f"/admin/inbox/{conversation.id}/order" in page
    assert 'name="size"' in client.get(f"/admin/inbox/{conversation.id}/order").get_data(
        as_text=True
    )
    path = f"/admin/inbox/{conversation.id}/order"
    response = auth.post(path, data=order_form(conversation, price="0.01"))
    assert response.status_code == 302
    again = auth.post(path, data=order_form(conversation))  # the same form, posted twice
    (order,) = orders(session)
    assert again.headers["Location"] == response.headers["Location"] == f"/admin/orders/{order.id}"
    assert order.price_cents == quote(uow=uow_on(session), cake=Cake(**CAKE)).total_cents
    assert (order.source, order.customer.address) == ("admin", "whatsapp:+14155550100")
    assert (order.customer.name, order.customer.email) == ("Ana Lima", "ana@example.com")
    assert order.pickup_at is None


def test_the_form_is_prefilled_with_the_customer(
    client: FlaskClient, auth: AuthActions, conversation: Conversation
) -> None:
    auth.login()
    auth.post(f"/admin/inbox/{conversation.id}/order", data=order_form(conversation))
    page = html.unescape(client.get(f"/admin/inbox/{conversation.id}/order").get_data(as_text=True))
    assert 'value="Ana Lima"' in page and 'value="ana@example.com"' in page


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"flavour": "Durian"}, "not on the menu"),
        ({"email": "not-an-email"}, "check email"),
        ({"name": ""}, "check name"),
        ({"form_key": ""}, "Reload the page"),
        ({"when": "2025-05-01T03:00"}, "Choose another time"),
    ],
)
def test_a_form_that_cannot_be_an_order_places_nothing(
    client: FlaskClient,
    auth: AuthActions,
    conversation: Conversation,
    session: orm.Session,
    fields: dict[str, str],
    why: str,
) -> None:
    auth.login()
    response = auth.post(
        f"/admin/inbox/{conversation.id}/order", data=order_form(conversation, **fields)
    )
    assert response.status_code == 422
    assert why in html.unescape(response.get_data(as_text=True))
    assert orders(session) == []
    assert client.get("/admin/inbox/999/order").status_code == 404
