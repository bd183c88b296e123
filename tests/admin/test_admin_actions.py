"""Ready, picked up, cancelled, receipt resent: through the admin, once each, refused when wrong."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity import fulfilment
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import ChatMessage, Order, OrderEvent, OutboxMessage
from tests.support.admin import AuthActions, deliver_all, place, reload


@pytest.fixture
def order_id(session: orm.Session, auth: AuthActions) -> int:
    """A placed order, logged in."""
    found = place(session)
    auth.login()
    return found.id


def outbox(session: orm.Session, kind: str) -> list[OutboxMessage]:
    rows = list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))
    session.commit()
    return rows


def events(session: orm.Session, kind: str) -> int:
    count = session.scalar(
        sa.select(sa.func.count()).select_from(OrderEvent).where(OrderEvent.kind == kind)
    )
    session.commit()
    return count or 0


def follow(client: FlaskClient, auth: AuthActions, path: str, **data: str) -> str:
    response = auth.post(path, data=data)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_ready_sends_one_pickup_message(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    page = follow(client, auth, f"/admin/orders/{order_id}/ready")
    assert "marked ready" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/ready")
    assert "already ready" in page
    [message] = outbox(session, "ready_message")
    assert message.idempotency_key == f"ready:order:{order_id}"
    assert message.recipient == "whatsapp:+14155550100"
    assert events(session, "ready") == 1
    order = reload(session, Order(id=order_id))
    assert order.status.value == "ready" and order.ready_at is not None
    assert "Marked ready" in page and "by admin:baker" in page


def test_picked_up_then_nothing_else(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    page = follow(client, auth, f"/admin/orders/{order_id}/picked-up")
    assert "still being baked, so it cannot be marked picked up" in page
    follow(client, auth, f"/admin/orders/{order_id}/ready")
    page = follow(client, auth, f"/admin/orders/{order_id}/picked-up")
    assert "marked picked up" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/ready")
    assert "already picked up, so it cannot be marked ready" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="too late")
    assert "already picked up, so it cannot be cancelled" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="")
    assert "already picked up, so it cannot be cancelled" in page  # not "say why"
    assert outbox(session, "cancel_message") == []


def test_cancel_needs_a_reason_and_tells_it(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="   ")
    assert "say why the order is cancelled" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="Oven  broke")
    assert "cancelled; the customer will be told why" in page
    [message] = outbox(session, "cancel_message")
    assert message.payload == {"reason": "Oven broke"}
    assert message.idempotency_key == f"cancel:order:{order_id}"
    page = follow(client, auth, f"/admin/orders/{order_id}/picked-up")
    assert "is cancelled, so it cannot be marked picked up" in page
    page = follow(client, auth, f"/admin/orders/{order_id}/ready")
    assert "is cancelled, so it cannot be marked ready" in page
    assert outbox(session, "ready_message") == []
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="")
    assert "was already cancelled: nothing changed" in page  # a second click, no reason needed
    assert len(outbox(session, "cancel_message")) == 1


def test_ready_order_can_be_cancelled(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    follow(client, auth, f"/admin/orders/{order_id}/ready")
    page = follow(client, auth, f"/admin/orders/{order_id}/cancel", reason="nobody came")
    assert "cancelled; the customer" in page
    assert len(outbox(session, "cancel_message")) == 1


def test_resend_receipt_adds_numbered_rows(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    follow(client, auth, f"/admin/orders/{order_id}/resend-receipt")
    page = follow(client, auth, f"/admin/orders/{order_id}/resend-receipt")
    assert "resend 2" in page
    keys = sorted(m.idempotency_key for m in outbox(session, "receipt_email"))
    assert keys == [
        f"receipt:order:{order_id}",
        f"receipt:order:{order_id}:resend:1",
        f"receipt:order:{order_id}:resend:2",
    ]


def test_unknown_order_is_404(client: FlaskClient, auth: AuthActions, order_id: int) -> None:
    assert client.get("/admin/orders/999999").status_code == 404
    assert auth.post("/admin/orders/999999/ready").status_code == 404


def test_order_page_shows_customer_timeline_and_chat(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    other = place(session, size="Large").id
    session.add(ChatMessage(address="whatsapp:+14155550100", direction="in", body="hi cakes"))
    session.commit()
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "Anna Lee" in page and "anna@example.com" in page and "WhatsApp" in page
    assert f"#{other}" in page
    assert "Order placed" in page and "Receipt email queued" in page
    assert f"/admin/orders/{order_id}/invoice.pdf" in page
    # A message after the customer's next order is about that one: it shows on its page.
    assert "hi cakes" not in page
    assert "hi cakes" in client.get(f"/admin/orders/{other}").get_data(as_text=True)


def test_invoice_pdf(client: FlaskClient, order_id: int) -> None:
    response = client.get(f"/admin/orders/{order_id}/invoice.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f"cloud-city-invoice-{order_id}.pdf" in response.headers["Content-Disposition"]


def test_two_bakers_at_once_send_one_message(
    database: Database, session: orm.Session, is_postgres: bool
) -> None:
    order_id = place(session).id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def bake(actor: str) -> None:
        try:
            barrier.wait()
            with database.unit_of_work() as own:
                fulfilment.mark_ready(uow=own, order_id=order_id, actor=actor, now=utcnow())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bake, args=(f"admin:{n}",)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outbox(session, "ready_message")) == 1
    assert events(session, "ready") == 1


@pytest.mark.usefixtures("csrf")
def test_a_cancel_through_the_admin_sends_the_reason_by_text_and_by_email(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    database: Database,
    settings: Settings,
) -> None:
    order = place(session, name="Ana Ruiz", phone="+14155550111", email="ana@example.com")
    auth.login()
    deliver_all(database, settings)  # the receipt, out of the way

    response = auth.post(f"/admin/orders/{order.id}/cancel", data={"reason": "oven broke down"})

    assert response.status_code == 302
    sent = deliver_all(database, settings)
    [text] = sent.texts
    assert text.to == "+14155550111"
    assert "has been cancelled. Reason: Oven broke down. We're sorry." in (text.body or "")
    [email] = sent.emails
    assert email.to == "ana@example.com" and "cancelled" in email.subject
    assert "Reason: Oven broke down." in email.text.replace("**", "")
