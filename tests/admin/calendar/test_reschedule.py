"""Setting or moving an order's pickup from the admin; cancelling gives the place back."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Order, OrderEvent, OutboxMessage
from cloudcity.db.repositories.outbox import Lease
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.queue import PICKUP_CHANGED
from cloudcity.providers.ports import TextMessage
from tests.admin.calendar.conftest import (
    FRIDAY_11AM,
    THURSDAY_10AM,
    TUESDAY_10AM,
    taken,
)
from tests.support.admin import AuthActions, place, reload
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

LEASE = Lease(worker_id="test", length=timedelta(minutes=1), max_attempts=5)


def pickup_messages(session: orm.Session) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == PICKUP_CHANGED)
    rows = list(session.scalars(query.order_by(OutboxMessage.id)))
    session.commit()
    return rows


def events(session: orm.Session, order_id: int) -> list[OrderEvent]:
    query = sa.select(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.kind == "pickup_changed"
    )
    rows = list(session.scalars(query))
    session.commit()
    return rows


def fresh(session: orm.Session, order: Order) -> Order:
    """The order as the database has it now (ending any snapshot the test session holds)."""
    session.commit()
    return reload(session, order)


def follow(client: FlaskClient, auth: AuthActions, path: str, **data: str) -> str:
    response = auth.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_order_to_arrange_gets_a_time_from_the_free_slots(
    client: FlaskClient, auth: AuthActions, csrf: None, session: orm.Session
) -> None:
    order = place(session, name="Ana Ruiz", now=TUESDAY_10AM)
    auth.login()
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "to arrange" in page and "Set a pickup time" in page
    assert f'value="{THURSDAY_10AM.isoformat()}"' in page  # the first free slot is offered
    assert client.post(f"/admin/orders/{order.id}/pickup").status_code == 400  # no token

    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", slot=THURSDAY_10AM.isoformat())
    assert "pickup set to Thu 3 Dec 2026, 10:00; the customer will be told" in page
    assert fresh(session, order).pickup_at == THURSDAY_10AM
    assert taken(session, THURSDAY_10AM) == (1, 1)
    [event] = events(session, order.id)
    assert event.actor == "admin:baker"
    assert event.note == "Thursday 3 Dec, 10:00\u201310:30 (was to arrange)"
    assert "Pickup time set" in page and "New pickup time message queued" in page
    [message] = pickup_messages(session)
    assert message.recipient == "whatsapp:+14155550100"
    assert message.payload["pickup_at"] == THURSDAY_10AM.isoformat()


def test_moving_a_pickup_frees_the_old_place_and_tells_the_customer_once(
    client: FlaskClient, auth: AuthActions, session: orm.Session, database: Database
) -> None:
    order = place(session, name="Ana Ruiz", pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()
    assert taken(session, THURSDAY_10AM) == (1, 1)
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", when="2026-12-04T11:00")
    assert "pickup set to Fri 4 Dec 2026, 11:00" in page
    assert fresh(session, order).pickup_at == FRIDAY_11AM
    assert taken(session, THURSDAY_10AM) == (0, 0)
    assert taken(session, FRIDAY_11AM) == (1, 1)
    [event] = events(session, order.id)
    assert event.note == "Friday 4 Dec, 11:00\u201311:30 (was Thursday 3 Dec, 10:00)"
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", when="2026-12-04T11:00")
    assert "already has its pickup at Fri 4 Dec 2026, 11:00: nothing changed" in page
    [message] = pickup_messages(session)

    # Ana last wrote over 24 hours ago: outside WhatsApp's window the text goes by SMS.
    settings = Settings(_env_file=None, twilio_sms_from="+14155550999")  # type: ignore[call-arg]
    dispatcher = Dispatcher(
        email=FakeEmailSender(),
        messages=FakeMessageSender(),
        renderer=FakeRenderer(),
        settings=settings,
    )
    with database.unit_of_work() as uow:
        claimed = [
            m
            for m in uow.outbox.claim(lease=LEASE, now=TUESDAY_10AM, limit=10)
            if m.kind == PICKUP_CHANGED
        ]
    assert [m.id for m in claimed] == [message.id]
    with database.reading() as reading:
        text = dispatcher.prepare(reading, claimed[0], now=TUESDAY_10AM)
    assert isinstance(text, TextMessage) and text.to == "+14155550100"
    assert text.body == (
        f"Hi Ana, the pickup time of your cake (order #{order.id}) is now Friday 4 Dec, "
        "11:00\u201311:30, at 1 Cloud Lane, Bespin, CA 94000. If that doesn't suit you, reply "
        "here or call us on +14155550123. \u2014 Cloud City Cake Company"
    )


def test_a_full_slot_is_refused_and_nothing_changes(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    for n in range(3):
        place(session, phone=f"+1415555030{n}", pickup_at=FRIDAY_11AM, now=TUESDAY_10AM)
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", slot=FRIDAY_11AM.isoformat())
    assert "Not moved: That time is fully booked. Choose another time." in page
    assert fresh(session, order).pickup_at == THURSDAY_10AM
    assert taken(session, THURSDAY_10AM) == (1, 1)  # its place is still its own
    assert taken(session, FRIDAY_11AM) == (3, 3)
    assert events(session, order.id) == [] and pickup_messages(session) == []
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", when="2026-12-07T10:00")
    assert "Not moved: We&#39;re closed on Mondays." in page
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", when="soon")
    assert "choose one of the free slots or enter a date and time" in page


def test_cancelling_gives_the_place_back_and_a_cancelled_order_cannot_move(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()
    follow(client, auth, f"/admin/orders/{order.id}/cancel", reason="oven broke")
    assert taken(session, THURSDAY_10AM) == (0, 0)
    page = follow(client, auth, f"/admin/orders/{order.id}/pickup", slot=FRIDAY_11AM.isoformat())
    assert "is cancelled, so its pickup cannot be moved" in page
    assert taken(session, FRIDAY_11AM) == (0, 0)
    assert fresh(session, order).status.value == "cancelled"
    assert isinstance(fresh(session, order), Order)
