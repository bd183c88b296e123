"""The inbox's conversations: listed, searched, and each thread shown whole, each message once."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Customer
from tests.admin.inbox.conftest import conversation_of
from tests.support.admin import AuthActions
from tests.support.chat import Phone

HELLO_REPLY = "What size would you like?"


def conversation_id(session: orm.Session, address: str) -> int:
    return conversation_of(session, address).id


def name_customer(session: orm.Session, phone: str, name: str) -> None:
    customer = session.scalars(sa.select(Customer).where(Customer.phone == phone)).one()
    customer.name = name
    session.commit()


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def listed(client: FlaskClient, query: str = "") -> list[str]:
    page = page_text(client, f"/admin/inbox?q={query}")
    section = page.split('id="conversations"')[1].split("</ul>")[0]
    return re.findall(r"\(?(whatsapp:\+\d+|\+\d+)", section)[::2]


def test_the_inbox_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/admin/inbox")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/inbox/1").status_code == 302


def test_every_conversation_is_listed_latest_first(
    client: FlaskClient, auth: AuthActions, phone: Callable[..., Phone], clock: object
) -> None:
    phone("whatsapp:+14155550100").say("hi")
    clock.advance(minutes=1)  # type: ignore[attr-defined]
    phone("+14155550123").say("hi")
    auth.login()
    assert listed(client) == ["+14155550123", "whatsapp:+14155550100"]


def test_search_by_name_phone_digits_and_text(
    client: FlaskClient, auth: AuthActions, phone: Callable[..., Phone], session: orm.Session
) -> None:
    phone("whatsapp:+14155550100").say("hi")
    phone("whatsapp:+14155550177").say("do you make gluten-free cakes?")
    name_customer(session, "+14155550100", "Maria Lopez")
    auth.login()
    assert listed(client, "lopez") == ["whatsapp:+14155550100"]
    assert listed(client, "555 0177") == ["whatsapp:+14155550177"]
    assert listed(client, "GLUTEN-free") == ["whatsapp:+14155550177"]
    assert listed(client, "100%_") == []  # LIKE's wildcards are plain characters here
    assert "No conversation matches." in page_text(client, "/admin/inbox?q=nobody")


def test_a_thread_shows_each_message_once_with_its_line_breaks(
    client: FlaskClient, auth: AuthActions, phone: Callable[..., Phone], session: orm.Session
) -> None:
    customer = phone("whatsapp:+14155550100")
    reply = customer.say("hi")
    customer.say("first line\nsecond line")
    auth.login()
    page = page_text(client, f"/admin/inbox/{conversation_id(session, customer.address)}")
    thread = page.split('id="thread"')[1].split("</ol>")[0]
    # The inbound row keeps the bot's reply too (for retries): the reply is shown once.
    assert HELLO_REPLY in reply and thread.count(reply) == 1
    assert "first line\nsecond line" in thread
    authors = re.findall(r'<li class="(customer|bot|staff)"', thread)
    assert authors == ["customer", "bot", "customer", "bot"]


def test_what_a_customer_typed_is_escaped(
    client: FlaskClient, auth: AuthActions, phone: Callable[..., Phone], session: orm.Session
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("<script>alert(1)</script>")
    auth.login()
    path = f"/admin/inbox/{conversation_id(session, customer.address)}"
    raw = client.get(path).get_data(as_text=True)
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)" in raw


def test_the_customers_orders_are_beside_the_thread(
    client: FlaskClient, auth: AuthActions, phone: Callable[..., Phone], session: orm.Session
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.order("hi", "Small", "Vanilla", "Buttercream", "Sprinkles", "asap", "no", "yes")
    customer.order("Ana", "ana@example.com")
    auth.login()
    page = page_text(client, f"/admin/inbox/{conversation_id(session, customer.address)}")
    orders = page.split('id="orders"')[1].split("</ul>")[0]
    assert re.search(r"#1</a>\s+Small Vanilla", orders)


def test_an_unknown_conversation_is_a_404(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert client.get("/admin/inbox/999").status_code == 404
    assert client.get("/admin/inbox/99999999999").status_code == 404
