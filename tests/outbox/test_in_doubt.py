"""Sends in doubt (the worker died between calling the provider and writing the result):
settled by a delivery report naming the outbox id, or found in the provider's records,
and sent again only when neither shows it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from cloudcity.db import Database
from cloudcity.db.repositories.outbox import Lease
from cloudcity.db.repositories.values import Claimed
from cloudcity.outbox.queue import READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker
from cloudcity.providers.ports import Email, TextMessage
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer
from tests.support.outbox import enqueue_text, only, place

GRACE = 30  # seconds: Settings.outbox_doubt_grace_seconds' default


@pytest.fixture
def renderer() -> FakeRenderer:
    """Render cheaply: these tests are about the queue."""
    return FakeRenderer()


def die_mid_send(database: Database, clock: FakeClock, *, kind: str) -> Claimed:
    """A worker claims and begins the message (in doubt from then on), then dies."""
    with database.unit_of_work() as uow:
        lease = Lease("dead", timedelta(seconds=15), max_attempts=8)
        claimed = [
            m for m in uow.outbox.claim(lease=lease, now=clock(), limit=10) if m.kind == kind
        ]
    message = claimed[0]
    with database.unit_of_work() as uow:
        grace = timedelta(seconds=GRACE)
        begun = uow.outbox.begin(message, worker_id="dead", now=clock(), grace=grace)
        assert begun is not None
    return begun


def test_an_in_doubt_text_waits_the_grace_period_then_is_found_not_resent(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")  # SMS: no WhatsApp window
    enqueue_text(database, order_id)
    message = die_mid_send(database, clock, kind=READY_MESSAGE)
    fake_messages.send_message(TextMessage(to="+14155550100", body="x", outbox_id=message.id))
    worker = make_worker(worker_id="healthy")
    clock.advance(16)  # the lease is over, the grace period is not
    worker.run_once()
    assert only(database, READY_MESSAGE).status == "sending"
    clock.advance(GRACE)
    assert worker.run_once() == 1
    row = only(database, READY_MESSAGE)
    assert (row.status, row.provider_message_id, row.sending_since) == ("sent", "SM-1", None)
    assert len(fake_messages.sent) == 1, "found in the provider's records: not sent again"
    assert fake_messages.lookups == [message.id]


def test_an_in_doubt_text_the_provider_never_took_is_sent_again(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")  # SMS: no WhatsApp window
    enqueue_text(database, order_id)
    die_mid_send(database, clock, kind=READY_MESSAGE)
    clock.advance(GRACE + 1)
    make_worker(worker_id="healthy").run_once()
    row = only(database, READY_MESSAGE)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(fake_messages.sent) == 1


def test_a_status_callback_naming_the_outbox_id_settles_an_in_doubt_text(
    database: Database,
    client: FlaskClient,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")  # SMS: no WhatsApp window
    enqueue_text(database, order_id)
    message = die_mid_send(database, clock, kind=READY_MESSAGE)
    form = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "sent"}
    response = client.post(f"/twilio/status?outbox_id={message.id}", data=form)
    assert response.status_code == 204
    row = only(database, READY_MESSAGE)
    assert (row.status, row.provider_message_id, row.delivery_status) == (
        "sent",
        "SM" + "c" * 32,
        "sent",
    )
    assert (row.locked_by, row.sending_since) == (None, None)
    clock.advance(GRACE + 16)
    make_worker().run_once()
    assert fake_messages.sent == [] and fake_messages.lookups == []


def test_a_sendgrid_event_naming_the_outbox_id_settles_an_in_doubt_receipt(
    database: Database,
    client: FlaskClient,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    order_id = place(database)
    message = die_mid_send(database, clock, kind=RECEIPT_EMAIL)
    event = {
        "sg_event_id": "ev-1",
        "event": "processed",
        "sg_message_id": "abc.filter0001",
        "outbox_id": str(message.id),
        "order_id": str(order_id),
    }
    assert client.post("/sendgrid/events", json=[event]).status_code == 200
    assert only(database, RECEIPT_EMAIL).status == "sent"
    clock.advance(GRACE + 16)
    make_worker().run_once()
    assert fake_email.sent == []


def test_an_in_doubt_receipt_without_a_report_is_sent_again_after_the_grace_period(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    die_mid_send(database, clock, kind=RECEIPT_EMAIL)
    worker = make_worker()
    clock.advance(16)
    assert worker.run_once() == 0
    clock.advance(GRACE)
    assert worker.run_once() == 1
    assert len(fake_email.sent) == 1  # at least once: SendGrid cannot be asked
    assert isinstance(fake_email.sent[0], Email)


def test_a_report_cannot_settle_a_message_whose_send_never_began(
    database: Database, client: FlaskClient
) -> None:
    order_id = place(database)
    receipt = only(database, RECEIPT_EMAIL)
    event = {"sg_event_id": "ev-2", "event": "delivered", "outbox_id": str(receipt.id)}
    event["order_id"] = str(order_id)
    assert client.post("/sendgrid/events", json=[event]).status_code == 200
    assert only(database, RECEIPT_EMAIL).status == "pending"


def test_a_report_after_the_last_attempt_died_in_doubt_still_shows_it_sent(
    database: Database, client: FlaskClient, clock: FakeClock
) -> None:
    order_id = place(database, number="+14155550100")
    enqueue_text(database, order_id)
    for _ in range(8):  # the default max_attempts: each worker dies mid-send
        message = die_mid_send(database, clock, kind=READY_MESSAGE)
        clock.advance(GRACE + 16)
    with database.unit_of_work() as uow:
        lease = Lease("next", timedelta(seconds=15), max_attempts=8)
        uow.outbox.claim(lease=lease, now=clock(), limit=10)
    assert only(database, READY_MESSAGE).status == "dead"
    form = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered"}
    assert client.post(f"/twilio/status?outbox_id={message.id}", data=form).status_code == 204
    assert only(database, READY_MESSAGE).status == "sent"
