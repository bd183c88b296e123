"""Counters every path moves (an inbox order, a baker's reply); a scrape with no database."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Conversation
from cloudcity.web import create_app
from tests.ops.test_metrics import scrape, value
from tests.support.admin import admin_logged_in, deliver_all
from tests.support.api import order_body

CUSTOMER = "whatsapp:+14155550100"
CAKE = {"size": "Small", "flavour": "Vanilla", "frosting": "Buttercream", "topping": "Sprinkles"}
CHAT = "cloudcity_chat_messages_total"
PLACED = "cloudcity_orders_placed_total"


def _conversation(client: FlaskClient, database: Database) -> int:
    form = {"From": CUSTOMER, "Body": "hi, can a person help me?", "MessageSid": "SM" + "2" * 32}
    assert client.post("/twilio/messages", data=form).status_code == 200
    with database.sessions() as session:
        return session.scalars(sa.select(Conversation.id)).one()


def test_an_order_placed_from_the_inbox_is_counted_once(
    client: FlaskClient, database: Database
) -> None:
    conversation_id = _conversation(client, database)
    auth = admin_logged_in(client, database)
    before = scrape(client)
    form = {**CAKE, "name": "Ana Lima", "email": "ana@example.com", "form_key": "k" * 16}
    path = f"/admin/inbox/{conversation_id}/order"
    assert auth.post(path, data=form).status_code == 302
    assert auth.post(path, data=form).status_code == 302  # posted twice: one order
    after = scrape(client)
    assert value(after, PLACED, source="admin") == value(before, PLACED, source="admin") + 1
    assert value(after, PLACED, source="api") == value(before, PLACED, source="api")


def test_a_refused_order_is_not_counted(client: FlaskClient, database: Database) -> None:
    conversation_id = _conversation(client, database)
    auth = admin_logged_in(client, database)
    before = scrape(client)
    form = {**CAKE, "flavour": "Durian", "name": "Ana", "email": "a@example.com"}
    response = auth.post(
        f"/admin/inbox/{conversation_id}/order", data=form | {"form_key": "k" * 16}
    )
    assert response.status_code == 422
    assert value(scrape(client), PLACED, source="admin") == value(before, PLACED, source="admin")


def test_a_baker_s_reply_sent_through_the_outbox_counts_as_chat_out(
    client: FlaskClient, database: Database, settings: Settings
) -> None:
    conversation_id = _conversation(client, database)
    auth = admin_logged_in(client, database)
    form = {"body": "Hello, this is Maria from the bakery.", "form_key": "r" * 16}
    assert auth.post(f"/admin/inbox/{conversation_id}/reply", data=form).status_code == 302
    before = scrape(client)
    delivered = deliver_all(database, settings)
    assert [text.body for text in delivered.texts] == [form["body"]]
    after = scrape(client)
    assert value(after, CHAT, direction="out") == value(before, CHAT, direction="out") + 1
    assert value(after, CHAT, direction="in") == value(before, CHAT, direction="in")


def test_with_the_database_down_the_scrape_answers_its_counters_and_database_up_0(
    client: FlaskClient, settings: Settings
) -> None:
    assert client.post("/api/order", json=order_body()).status_code == 201
    assert value(scrape(client), "cloudcity_database_up") == 1
    broken = Database.connect("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    down = scrape(create_app(settings, database=broken).test_client())
    assert value(down, "cloudcity_database_up") == 0
    assert value(down, PLACED, source="api") >= 1  # this process's counters are still there
    assert ("cloudcity_outbox_due", ()) not in down  # no figure made up for a silent database
