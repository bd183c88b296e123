"""A placed order's receipt goes out once, with its PDF; provider faults are retried or not."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.queue import RECEIPT_EMAIL
from cloudcity.outbox.retry import Backoff
from cloudcity.outbox.worker import Worker
from tests.support.clock import FakeClock
from tests.support.fakes import (
    FakeEmailSender,
    bad_request,
    rate_limited,
    server_error,
)
from tests.support.outbox import only, place, seconds_between

ORDER = {
    "customer": {"number": "whatsapp:+14155550100", "name": "Ana Lima", "email": "ana@example.com"},
    "cake": {"size": "Medium", "flavour": "Lemon", "frosting": "Buttercream", "topping": "None"},
}


def test_an_order_placed_over_the_api_gets_one_receipt_with_its_invoice(
    client: FlaskClient,
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    headers = {"Idempotency-Key": "order-ana-1"}
    first = client.post("/api/order", json=ORDER, headers=headers)
    again = client.post("/api/order", json=ORDER, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    order_id = first.json["order_id"]
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.recipient, row.order_id) == ("pending", "ana@example.com", order_id)

    worker = make_worker()
    assert worker.run_once() == 1
    assert worker.run_once() == 0

    [email] = fake_email.sent
    assert email.to == "ana@example.com"
    assert str(order_id) in email.subject
    [pdf] = email.attachments
    assert pdf.filename == f"cloud-city-invoice-{order_id}.pdf"
    assert pdf.content_type == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert email.categories == ("receipt",)
    assert email.custom_args == {"order_id": str(order_id), "outbox_id": str(row.id)}
    sent = only(database, RECEIPT_EMAIL)
    assert (sent.status, sent.provider_message_id, sent.attempts) == ("sent", "email-1", 1)
    assert sent.sent_at == clock.now
    assert sent.locked_by is None


def test_a_server_error_is_retried_with_growing_backoff_then_sent(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    fake_email.fail_next(server_error(), times=2)
    worker = make_worker()

    waits = []
    for _ in range(2):
        assert worker.run_once() == 1
        row = only(database, RECEIPT_EMAIL)
        assert row.status == "retry"
        assert row.last_error == "the provider had an internal error (HTTP 500)"
        waits.append(seconds_between(row.next_attempt_at, clock.now))
        assert worker.run_once() == 0, "not due before its backoff"
        clock.advance(waits[-1])
    assert waits == [3.75, 7.5]  # half to all of 5 s * 2**(n-1); the test's jitter is 0.5

    assert worker.run_once() == 1
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert (len(fake_email.attempts), len(fake_email.sent)) == (3, 1)


def test_a_429_waits_as_long_as_retry_after_says(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    fake_email.fail_next(rate_limited(120))
    worker = make_worker()
    worker.run_once()
    row = only(database, RECEIPT_EMAIL)
    assert row.status == "retry"
    assert seconds_between(row.next_attempt_at, clock.now) == 120
    assert "(HTTP 429)" in (row.last_error or "")
    clock.advance(119)
    assert worker.run_once() == 0
    clock.advance(1)
    assert worker.run_once() == 1
    assert only(database, RECEIPT_EMAIL).status == "sent"
    assert len(fake_email.sent) == 1


def test_a_send_that_times_out_is_in_doubt_and_tried_again_after_the_grace_period(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    fake_email.hang_next(clock, seconds=20)
    worker = make_worker(lease=60.0)
    assert worker.run_once() == 1
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.last_error) == ("retry", "no answer within 20 s")
    assert row.sending_since is not None, "the provider may have taken it: in doubt"
    clock.advance(3.75)
    assert worker.run_once() == 0, "waits the grace period for a delivery report"
    clock.advance(30)
    assert worker.run_once() == 1
    assert only(database, RECEIPT_EMAIL).status == "sent"
    assert len(fake_email.sent) == 1


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    fake_email.fail_next(bad_request())
    worker = make_worker()
    assert worker.run_once() == 1
    clock.advance(24 * 3600)
    assert worker.run_once() == 0
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "the recipient address is invalid (HTTP 400)"
    assert fake_email.sent == []


def test_a_message_that_keeps_failing_is_dead_after_max_attempts(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    fake_email.fail_next(server_error(), times=10)
    worker = make_worker(settings.model_copy(update={"outbox_max_attempts": 3}))
    for _ in range(5):
        worker.run_once()
        clock.advance(3600)
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts) == ("dead", 3)
    assert (
        row.last_error == "gave up after 3 attempts: the provider had an internal error (HTTP 500)"
    )
    assert len(fake_email.attempts) == 3


def test_an_unexpected_error_is_retried_like_a_transient_one(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
) -> None:
    place(database)

    def crash() -> None:
        raise RuntimeError("renderer bug")

    fake_email.before_next(crash)
    make_worker().run_once()
    row = only(database, RECEIPT_EMAIL)
    assert row.status == "retry"
    assert "renderer bug" in (row.last_error or "")


def test_backoff_grows_from_the_base_and_stops_at_the_cap() -> None:
    backoff = Backoff(base=5, cap=3600)
    assert backoff.delay(1, jitter=0.0) == 2.5
    assert backoff.delay(1, jitter=0.999999) < 5
    assert backoff.delay(3, jitter=0.0) == 10
    assert backoff.delay(30, jitter=0.999999) <= 3600
    assert backoff.delay(30, jitter=0.0) == 1800
