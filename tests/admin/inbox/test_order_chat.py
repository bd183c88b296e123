"""An order's page shows that order's part of the chat: from the previous order to the next."""

from __future__ import annotations

import html
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order
from tests.support.admin import AuthActions, place
from tests.support.chat import Phone
from tests.support.clock import FakeClock


def order_chat(client: FlaskClient, order: Order) -> str:
    page = html.unescape(client.get(f"/admin/orders/{order.id}").get_data(as_text=True))
    return page.split('id="order-chat"')[1].split("</ol>")[0]


def test_each_order_shows_its_own_stretch_of_the_chat(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    greeting = customer.say("hi")
    clock.advance(minutes=1)
    first = place(session, now=clock.now)
    clock.advance(hours=2)
    customer.send("thank you!\nsee you saturday")
    clock.advance(days=1)
    customer.send("I'd like another cake")
    clock.advance(minutes=1)
    second = place(session, now=clock.now)
    clock.advance(hours=2)
    customer.send("when can I pick it up?")
    auth.login()

    chat = order_chat(client, first)
    assert chat.count(greeting) == 1  # the bot's reply once, not again as the inbound's reply
    assert "thank you!\nsee you saturday" in chat and "I'd like another cake" in chat
    assert "when can I pick it up?" not in chat

    chat = order_chat(client, second)
    assert greeting not in chat
    assert "I'd like another cake" in chat and "when can I pick it up?" in chat


def test_an_order_without_chat_says_so(
    client: FlaskClient, auth: AuthActions, session: orm.Session, clock: FakeClock
) -> None:
    order = place(session, phone="+14155550123", now=clock.now)
    auth.login()
    assert "No chat messages about this order." in order_chat(client, order)
