"""The admin tests' helpers: logging in with CSRF tokens, placing and reloading orders."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse

from cloudcity import admins
from cloudcity.clock import system_clock
from cloudcity.config import Settings
from cloudcity.db import Database, UnitOfWork
from cloudcity.db.menu_cache import MenuCache
from cloudcity.db.models import ChatMessage, Conversation, Order
from cloudcity.domain import Cake
from cloudcity.orders import OrderRequest, place_order
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.worker import Worker
from cloudcity.phones import parse_address
from cloudcity.providers.ports import Email, TextMessage
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

USERNAME = "baker"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
BODY = re.compile(r'<p class="body">(.*?)</p>', re.DOTALL)


class AuthActions:
    """Log the test client in and out as the admin user the fixture created."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.username = USERNAME
        self.password = PASSWORD

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session (read from the login form)."""
        page = self.client.get("/admin/login").get_data(as_text=True)
        found = TOKEN.search(page)
        if found is None:  # logged in: the form redirects, so read any admin page instead
            page = self.client.get("/admin/orders").get_data(as_text=True)
            found = TOKEN.search(page)
        assert found is not None, "no csrf_token on the admin page"
        return found.group(1)

    def login(self, username: str = USERNAME, password: str = PASSWORD) -> TestResponse:
        """Post the login form (with its CSRF token)."""
        return self.post("/admin/login", data={"username": username, "password": password})

    def logout(self) -> TestResponse:
        """Post the logout form."""
        return self.post("/admin/logout")

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: object) -> TestResponse:
        """POST a form with a valid CSRF token added."""
        form = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.client.post(path, data=form, **kwargs)  # type: ignore[arg-type]


def admin_logged_in(client: FlaskClient, database: Database) -> AuthActions:
    """Create the admin user and log `client` in (for tests outside tests/admin)."""
    with database.unit_of_work() as uow:
        admins.create_user(uow=uow, username=USERNAME, password=PASSWORD)
    auth = AuthActions(client)
    assert auth.login().status_code == 302
    return auth


def thread_bodies(client: FlaskClient, conversation_id: int) -> list[str]:
    """The text of each message of a conversation's page in the inbox, top to bottom."""
    response = client.get(f"/admin/inbox/{conversation_id}")
    assert response.status_code == 200, response.status_code
    thread = response.get_data(as_text=True).split('id="thread"')[1].split("</ol>")[0]
    return [html.unescape(body) for body in BODY.findall(thread)]


def place(
    session: orm.Session,
    *,
    name: str = "Anna Lee",
    phone: str = "whatsapp:+14155550100",
    email: str = "anna@example.com",
    placed_at: datetime | None = None,
    size: str = "Small",
    pickup_at: datetime | None = None,
    now: datetime | None = None,
    flavour: str = "Vanilla",
    inscription: str | None = None,
    note: str | None = None,
) -> Order:
    """Place an order through the real use case (booking `pickup_at`, if any) and commit it."""
    request = OrderRequest(
        address=parse_address(phone),
        name=name,
        email=email,
        cake=Cake(size=size, flavour=flavour, frosting="Buttercream", topping="Sprinkles"),
        currency="USD",
        pickup_at=pickup_at,
        inscription=inscription,
        note=note,
    )
    uow = UnitOfWork(session, MenuCache())  # the test's own session, committed below
    placed = place_order(
        uow=uow, request=request, now=now or system_clock(), reminder_hour=10
    ).order
    order = session.get_one(Order, placed.id)
    if placed_at is not None:
        order.placed_at = placed_at
    session.commit()
    return order


def reload(session: orm.Session, order: Order) -> Order:
    """The order as the database has it now."""
    session.expire_all()
    found = session.get(Order, order.id)
    assert found is not None
    return found


def deliver_all(database: Database, settings: Settings) -> Delivered:
    """Run the worker once on fake senders a minute from now: every text and email it sent."""
    texts, emails = FakeMessageSender(), FakeEmailSender()
    dispatcher = Dispatcher(
        email=emails, messages=texts, renderer=FakeRenderer(), settings=settings
    )
    clock = FakeClock(system_clock() + timedelta(minutes=1))
    Worker(database, dispatcher, settings, clock=clock, lease=60.0, jitter=lambda: 0.5).run_once()
    return Delivered(texts=texts.sent, emails=emails.sent)


@dataclass(frozen=True)
class Delivered:
    """What one worker pass sent."""

    texts: list[TextMessage]
    emails: list[Email]


def chat_with(session: orm.Session, order: Order, *, handed_off: bool = True) -> int:
    """A conversation with the order's customer, a long word in it, handed to staff; its id."""
    address, now = order.customer.address, system_clock()
    conversation = Conversation(address=address, step="start", updated_at=now, created_at=now)
    if handed_off:
        conversation.handoff_at, conversation.handoff_reason = now, "asked for a person"
    words = [
        ("in", "Can the cake say Supercalifragilisticexpialidocious-Featherstonehaugh? Thanks!"),
        ("out", "Someone from the bakery will answer you here shortly."),
    ]
    session.add(conversation)
    session.add_all(
        ChatMessage(address=address, customer_id=order.customer_id, direction=way, body=body)
        for way, body in words
    )
    session.commit()
    return conversation.id


def every_page(order_id: int, conversation_id: int) -> dict[str, str]:
    """Each page a baker (or a developer) opens in a browser, by a short name, with its path."""
    return {
        "dashboard": "/admin/",
        "orders": "/admin/orders",
        "order": f"/admin/orders/{order_id}",
        "schedule": "/admin/schedule",
        "menu": "/admin/menu",
        "calendar": "/admin/calendar",
        "customers": "/admin/customers",
        "inbox": "/admin/inbox",
        "conversation": f"/admin/inbox/{conversation_id}",
        "conversation-order": f"/admin/inbox/{conversation_id}/order",
        "messages": "/admin/messages?status=pending",
        "dev-outbox": "/dev/outbox",
        "dev-chat": "/dev/chat",
        "landing": "/",
    }
