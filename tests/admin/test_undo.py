"""One tap marks an order ready or picked up; an Undo button takes it back for a few seconds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order, OutboxMessage
from tests.support.admin import AuthActions, place
from tests.support.clock import FakeClock, fake_clock_fixtures

# The undo window is the default 10 s.
clock, app = fake_clock_fixtures()


@pytest.fixture
def order_id(session: orm.Session, auth: AuthActions) -> int:
    """A placed order, logged in."""
    found = place(session)
    auth.login()
    return found.id


def tap(client: FlaskClient, auth: AuthActions, path: str) -> str:
    response = auth.post(path)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def state(session: orm.Session, order_id: int) -> tuple[str, list[str]]:
    session.expire_all()
    order = session.get(Order, order_id)
    assert order is not None
    query = sa.select(OutboxMessage.status).where(OutboxMessage.kind == "ready_message")
    messages = list(session.scalars(query))
    session.commit()
    return order.status.value, messages


def test_ready_then_undo_within_the_window_sends_nothing(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, clock: FakeClock
) -> None:
    page = tap(client, auth, f"/admin/orders/{order_id}/ready")
    assert f"Undo order #{order_id} (<span data-undo-left>10</span> s)" in page
    assert state(session, order_id) == ("ready", ["pending"])

    clock.advance(9)
    page = tap(client, auth, f"/admin/orders/{order_id}/undo")

    assert "is back as it was; nothing was sent" in page
    assert state(session, order_id) == ("placed", ["cancelled"])
    assert "Ready undone (no message sent)" in client.get(f"/admin/orders/{order_id}").text
    assert "data-undo-seconds" not in page


def test_after_the_window_the_button_is_gone_and_undo_is_refused(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, clock: FakeClock
) -> None:
    tap(client, auth, f"/admin/orders/{order_id}/ready")
    clock.advance(10)
    assert "data-undo-seconds" not in client.get("/admin/orders").text

    page = tap(client, auth, f"/admin/orders/{order_id}/undo")

    assert "nothing left to undo" in page
    assert state(session, order_id) == ("ready", ["pending"])


def test_picked_up_can_be_undone_back_to_ready(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, clock: FakeClock
) -> None:
    tap(client, auth, f"/admin/orders/{order_id}/ready")
    clock.advance(30)
    page = tap(client, auth, f"/admin/orders/{order_id}/picked-up")
    assert "data-undo-seconds" in page

    tap(client, auth, f"/admin/orders/{order_id}/undo")

    assert state(session, order_id) == ("ready", ["pending"])


@pytest.mark.usefixtures("csrf")
def test_undo_needs_the_csrf_token(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    tap(client, auth, f"/admin/orders/{order_id}/ready")
    assert client.post(f"/admin/orders/{order_id}/undo").status_code == 400
    assert state(session, order_id) == ("ready", ["pending"])


def test_undo_needs_a_login(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    tap(client, auth, f"/admin/orders/{order_id}/ready")
    auth.logout()
    response = client.post(f"/admin/orders/{order_id}/undo")
    assert response.status_code in (302, 401)
    assert state(session, order_id) == ("ready", ["pending"])


def test_each_order_keeps_its_own_undo(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, clock: FakeClock
) -> None:
    second = place(session, phone="+14155550177").id
    tap(client, auth, f"/admin/orders/{order_id}/ready")
    clock.advance(3)
    page = tap(client, auth, f"/admin/orders/{second}/ready")

    assert f"Undo order #{second} (<span data-undo-left>10</span> s)" in page
    assert f"Undo order #{order_id} (<span data-undo-left>7</span> s)" in page  # not dropped
    first_page = client.get(f"/admin/orders/{order_id}").text
    assert f'id="undo-{order_id}"' in first_page and f'id="undo-{second}"' in first_page
    listed = client.get("/admin/orders").text
    assert listed.count(f'id="undo-{order_id}"') == 1  # in its row, not also above the list

    page = tap(client, auth, f"/admin/orders/{order_id}/undo")
    assert "is back as it was; nothing was sent" in page
    assert f'id="undo-{order_id}"' not in page and f'id="undo-{second}"' in page
    assert state(session, order_id)[0] == "placed"
    assert state(session, second)[0] == "ready"

    clock.advance(10)  # the second tap's window ends 10 s after it
    assert "data-undo-seconds" not in client.get(f"/admin/orders/{second}").text
