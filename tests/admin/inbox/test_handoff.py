"""Conversations with staff: waiting oldest first, taken over, handed back, counted in the nav."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity import handoff
from cloudcity.db import Database
from tests.admin.inbox.conftest import conversation_of
from tests.support.admin import AuthActions
from tests.support.chat import Phone
from tests.support.clock import FakeClock


def hand_off(database: Database, address: str, clock: FakeClock) -> None:
    """What the chat does when a customer asks for a person (the chat's own words aside)."""
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=address, reason="asked for a person", now=clock.now)


def waiting_section(client: FlaskClient) -> str:
    page = html.unescape(client.get("/admin/inbox").get_data(as_text=True))
    return page.split('id="waiting"')[1].split("</ul>")[0]


def waiting_count(client: FlaskClient) -> int:
    response = client.get("/admin/inbox/waiting.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return int(response.json["waiting"])  # type: ignore[index]


def test_waiting_conversations_oldest_first_with_how_long(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    database: Database,
    clock: FakeClock,
) -> None:
    first, second = phone("whatsapp:+14155550100"), phone("whatsapp:+14155550177")
    first.say("hi")
    second.say("hi")
    hand_off(database, second.address, clock)
    clock.advance(minutes=20)
    hand_off(database, first.address, clock)
    clock.advance(hours=1, minutes=5)
    auth.login()
    waiting = waiting_section(client)
    assert re.findall(r"whatsapp:\+\d+", waiting)[::2] == [second.address, first.address]
    assert re.findall(r"waiting ([^<]+)<", waiting) == ["1 h 25 min", "1 h 5 min"]
    assert "asked for a person" in waiting
    assert waiting_count(client) == 2


def test_an_answered_customer_waits_again_when_they_write(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    database: Database,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("hi")
    hand_off(database, customer.address, clock)
    auth.login()
    conversation = conversation_of(session, customer.address)
    form = {"body": "Hello, how can I help?", "form_key": "k" * 16}
    auth.post(f"/admin/inbox/{conversation.id}/reply", data=form)
    assert waiting_count(client) == 0
    assert "answered" in waiting_section(client)
    clock.advance(minutes=3)
    customer.send("Can I change the topping?")  # the bot keeps quiet (branch chatrest) or not
    clock.advance(minutes=7)
    assert waiting_count(client) == 1
    assert "waiting 7 min" in waiting_section(client)


@pytest.mark.usefixtures("csrf")
def test_take_over_and_hand_back(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("hi")
    auth.login()
    conversation = conversation_of(session, customer.address)
    path = f"/admin/inbox/{conversation.id}"
    assert "Take over" in client.get(path).get_data(as_text=True)
    assert client.post(f"{path}/take-over").status_code == 400  # no CSRF token
    assert conversation_of(session, customer.address).handoff_at is None

    assert auth.post(f"{path}/take-over").status_code == 302
    taken = conversation_of(session, customer.address)
    assert (taken.handoff_at, taken.handoff_reason) == (clock.now, "staff took over")
    assert "Hand back to the bot" in client.get(path).get_data(as_text=True)
    assert waiting_count(client) == 1

    assert auth.post(f"{path}/hand-back").status_code == 302
    assert conversation_of(session, customer.address).handoff_at is None
    assert waiting_count(client) == 0
    assert auth.post("/admin/inbox/999/hand-back").status_code == 404


def test_the_count_shows_in_the_navigation_of_every_page(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    database: Database,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("hi")
    auth.login()
    badge = re.compile(r'id="inbox-count"[^>]*>(\d+)</span>')
    page = client.get("/admin/orders").get_data(as_text=True)
    assert re.search(r'id="inbox-count"[^>]* hidden>0<', page)
    assert "admin/inbox_count.js" in page
    hand_off(database, customer.address, clock)
    for path in ("/admin/orders", "/admin/", "/admin/menu", "/admin/messages"):
        found = badge.search(client.get(path).get_data(as_text=True))
        assert found is not None and found.group(1) == "1", path


def test_the_count_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/admin/inbox/waiting.json")
    assert response.status_code == 401
    assert response.json == {"error": "log in to the admin first", "details": []}


def test_the_count_script_is_served_locally(client: FlaskClient) -> None:
    with client.get("/static/admin/inbox_count.js") as response:
        assert response.status_code == 200 and b"setInterval" in response.data
