"""An order's page shows that order's part of the chat: each message on one order's page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import ChatMessage, Order
from tests.support.admin import AuthActions, place
from tests.support.chat import Phone
from tests.support.clock import FakeClock


def order_chat(client: FlaskClient, order: Order) -> str:
    page = html.unescape(client.get(f"/admin/orders/{order.id}").get_data(as_text=True))
    return page.split('id="order-chat"')[1].split("</ol>")[0]


def message_ids(chat: str) -> list[int]:
    """The ids of the messages a page's chat shows, in order."""
    return [int(found) for found in re.findall(r'id="message-(\d+)"', chat)]


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
    assert "thank you!\nsee you saturday" in chat
    assert "I'd like another cake" not in chat and "when can I pick it up?" not in chat
    shown_first = message_ids(chat)

    chat = order_chat(client, second)
    assert greeting not in chat and "thank you!" not in chat
    assert "I'd like another cake" in chat and "when can I pick it up?" in chat
    shown_second = message_ids(chat)

    # Every message of the chat is on exactly one order's page, in order.
    session.rollback()
    every = list(session.scalars(sa.select(ChatMessage.id).order_by(ChatMessage.id)))
    assert shown_first + shown_second == every


def test_a_quick_second_order_takes_only_its_own_conversation(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("hi")
    first = place(session, now=clock.now)
    clock.advance(minutes=5)
    customer.send("thanks!")
    clock.advance(hours=3)
    customer.send("one more please")
    clock.advance(minutes=10)
    customer.send("chocolate this time")
    clock.advance(minutes=10)
    second = place(session, now=clock.now)
    clock.advance(minutes=1)
    third = place(session, now=clock.now)  # by staff, with no chat of its own
    auth.login()

    first_chat, second_chat = order_chat(client, first), order_chat(client, second)
    assert "thanks!" in first_chat and "one more please" not in first_chat
    assert "one more please" in second_chat and "chocolate this time" in second_chat
    assert "thanks!" not in second_chat
    assert "No chat messages about this order." in order_chat(client, third)
    assert "chocolate this time" in order_chat(client, second)


def test_an_order_without_chat_says_so(
    client: FlaskClient, auth: AuthActions, session: orm.Session, clock: FakeClock
) -> None:
    order = place(session, phone="+14155550123", now=clock.now)
    auth.login()
    assert "No chat messages about this order." in order_chat(client, order)
