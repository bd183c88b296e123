"""The pickup time in the edit form: checked like a booking, told in the edit's one message."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse

from cloudcity.db.models import Order, OrderEvent, OutboxMessage
from cloudcity.outbox.queue import ORDER_CHANGED, PICKUP_CHANGED
from tests.admin.calendar.conftest import FRIDAY_11AM, THURSDAY_10AM, TUESDAY_10AM, taken
from tests.support.admin import AuthActions, place, reload

FORM = {
    "size": "Small",
    "flavour": "Vanilla",
    "frosting": "Buttercream",
    "topping": "Sprinkles",
    "inscription": "",
    "name": "Anna Lee",
    "email": "anna@example.com",
}


def edit(auth: AuthActions, order: Order, **changes: str) -> TestResponse:
    return auth.post(f"/admin/orders/{order.id}/edit", data=FORM | changes)


def messages(session: orm.Session) -> list[OutboxMessage]:
    kinds = (ORDER_CHANGED, PICKUP_CHANGED)
    query = sa.select(OutboxMessage).where(OutboxMessage.kind.in_(kinds))
    rows = list(session.scalars(query.order_by(OutboxMessage.id)))
    session.commit()
    return rows


def edits(session: orm.Session, order: Order) -> list[str | None]:
    query = sa.select(OrderEvent.note).where(
        OrderEvent.order_id == order.id, OrderEvent.kind == "edited"
    )
    rows = list(session.scalars(query))
    session.commit()
    return rows


def test_cake_and_pickup_changed_together_send_one_message(
    client: FlaskClient, auth: AuthActions, csrf: None, session: orm.Session
) -> None:
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()

    response = edit(auth, order, flavour="Lemon", pickup="2026-12-04T11:00")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the customer will be told what changed" in page
    found = reload(session, order)
    assert (found.flavour, found.pickup_at) == ("Lemon", FRIDAY_11AM)
    assert taken(session, THURSDAY_10AM) == (0, 0)
    assert taken(session, FRIDAY_11AM) == (1, 1)
    [message] = messages(session)
    assert message.kind == ORDER_CHANGED
    assert message.payload["changes"][:2] == [
        "flavour: Lemon (was Vanilla)",
        "pickup: Friday 4 Dec, 11:00\u201311:30 (was Thursday 3 Dec, 10:00)",
    ]
    [note] = edits(session, order)
    assert note is not None and "pickup: Friday 4 Dec" in note


def test_a_full_slot_is_refused_beside_the_field_and_nothing_changes(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    for n in range(3):
        place(session, phone=f"+1415555030{n}", pickup_at=FRIDAY_11AM, now=TUESDAY_10AM)
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()

    response = edit(auth, order, flavour="Lemon", slot=FRIDAY_11AM.isoformat())

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="edit-pickup-error" role="alert">That time is fully booked.' in page
    assert 'name="pickup" step="60" value="2026-12-03T10:00" aria-invalid="true"' in page
    found = reload(session, order)
    assert (found.flavour, found.pickup_at) == ("Vanilla", THURSDAY_10AM)
    assert taken(session, THURSDAY_10AM) == (1, 1)
    assert taken(session, FRIDAY_11AM) == (3, 3)
    assert messages(session) == [] and edits(session, order) == []


def test_a_bigger_cake_needs_its_longer_notice_for_the_same_pickup(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)  # 48 h: enough for Small
    auth.login()

    response = edit(auth, order, size="Large", inscription="Happy birthday")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="edit-pickup-error" role="alert">That&#39;s too soon for us to bake it' in page
    found = reload(session, order)
    assert (found.size, found.inscription, found.pickup_at) == ("Small", None, THURSDAY_10AM)
    assert taken(session, THURSDAY_10AM) == (1, 1)
    assert messages(session) == [] and edits(session, order) == []

    assert edit(auth, order, size="Large", pickup="2026-12-05T11:00").status_code == 302
    assert reload(session, order).size == "Large"
    assert taken(session, THURSDAY_10AM) == (0, 0)
