"""Provider faults seen by the worker through the REAL SendGrid and Twilio adapters.

The adapters talk HTTP to a scripted local server (tests/providers/http_stub.py) that
answers 500, 429 with Retry-After, a late answer, or 400, and then success. Each test ends
with the provider having accepted the message exactly once, or the row failed with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.queue import READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker
from cloudcity.providers.sendgrid_sender import SendGridEmailSender
from cloudcity.providers.twilio_sender import TwilioMessageSender
from tests.support.clock import FakeClock
from tests.support.fakes import FakeRenderer
from tests.support.http_stub import Answer, ScriptedServer
from tests.support.outbox import only, orders_ready, place, seconds_between
from tests.support.prism import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

SG_ID = "W1l3dTbqRVK4M1dJ6KnXDg"
SID = "SM" + "d" * 32
ACCEPTED = Answer(202, b"", {"X-Message-Id": SG_ID})
CREATED = Answer(201, json.dumps({"sid": SID}).encode())
TIMEOUT = 0.5


@pytest.fixture
def provider() -> Iterator[ScriptedServer]:
    """One scripted stand-in for both providers (their paths differ)."""
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http_worker(
    database: Database, settings: Settings, provider: ScriptedServer, clock: FakeClock
) -> Worker:
    """A worker whose senders are the real SDK adapters, pointed at the scripted server."""
    email = SendGridEmailSender(
        api_key="SG.test-key",
        from_email=settings.shop_email,
        from_name=settings.shop_name,
        host=provider.url,
        timeout=TIMEOUT,
    )
    messages = TwilioMessageSender(
        account_sid=TEST_ACCOUNT_SID,
        auth_token=TEST_AUTH_TOKEN,
        sms_from="+15005550006",
        public_url="https://cakes.example",
        base_url=provider.url,
        timeout=TIMEOUT,
    )
    dispatcher = Dispatcher(
        email=email, messages=messages, renderer=FakeRenderer(), settings=settings
    )
    return Worker(database, dispatcher, settings, clock=clock, jitter=lambda: 0.5, lease=60.0)


def _paths(provider: ScriptedServer) -> list[str]:
    return [request.path for request in provider.received]


def _retry_then_send(worker: Worker, database: Database, clock: FakeClock, kind: str) -> float:
    """Run the failing attempt, check it is not due early, and answer the wait it was given."""
    assert worker.run_once() == 1
    row = only(database, kind)
    assert row.status == "retry", row.last_error
    wait = seconds_between(row.next_attempt_at, clock.now)
    clock.advance(wait - 1)
    assert worker.run_once() == 0, "not due before its wait is over"
    clock.advance(1)
    assert worker.run_once() == 1
    return wait


def test_sendgrid_500_then_202_sends_the_receipt_once(
    http_worker: Worker, database: Database, provider: ScriptedServer, clock: FakeClock
) -> None:
    place(database)
    provider.answer(Answer(500, b'{"errors":[{"message":"oops"}]}'), ACCEPTED)
    assert _retry_then_send(http_worker, database, clock, RECEIPT_EMAIL) == 3.75
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 2, SG_ID)
    assert _paths(provider) == ["/v3/mail/send"] * 2
    assert http_worker.run_once() == 0 and len(provider.received) == 2


def test_sendgrid_429_waits_for_retry_after(
    http_worker: Worker, database: Database, provider: ScriptedServer, clock: FakeClock
) -> None:
    place(database)
    provider.answer(Answer(429, b'{"errors":[]}', {"Retry-After": "90"}), ACCEPTED)
    assert _retry_then_send(http_worker, database, clock, RECEIPT_EMAIL) == 90
    assert only(database, RECEIPT_EMAIL).status == "sent"
    assert len(provider.received) == 2


def test_a_sendgrid_timeout_is_retried(
    http_worker: Worker, database: Database, provider: ScriptedServer, clock: FakeClock
) -> None:
    place(database)
    provider.answer(Answer(202, b"", {"X-Message-Id": "late"}, delay=TIMEOUT * 4), ACCEPTED)
    _retry_then_send(http_worker, database, clock, RECEIPT_EMAIL)
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.provider_message_id) == ("sent", SG_ID)


def test_a_sendgrid_400_fails_at_once_with_the_reason(
    http_worker: Worker, database: Database, provider: ScriptedServer, clock: FakeClock
) -> None:
    place(database)
    provider.answer(Answer(400, b'{"errors":[{"message":"Does not contain a valid address."}]}'))
    assert http_worker.run_once() == 1
    clock.advance(24 * 3600)
    assert http_worker.run_once() == 0
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "HTTP 400" in (row.last_error or "") and "valid address" in (row.last_error or "")
    assert len(provider.received) == 1


@pytest.mark.parametrize(
    ("fault", "wait"),
    [
        (Answer(500, b'{"code": 20500, "message": "Internal", "status": 500}'), 3.75),
        (Answer(429, b'{"code": 20429, "status": 429}', {"Retry-After": "42"}), 42),
    ],
)
def test_twilio_fault_then_success_sends_the_ready_message_once(
    http_worker: Worker,
    database: Database,
    provider: ScriptedServer,
    clock: FakeClock,
    fault: Answer,
    wait: float,
) -> None:
    orders_ready(database, 1)
    provider.answer(fault, CREATED)
    assert _retry_then_send(http_worker, database, clock, READY_MESSAGE) == wait
    row = only(database, READY_MESSAGE)
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 2, SID)
    assert len(provider.received) == 2
    form = provider.received[-1].body.decode()
    assert "StatusCallback=https%3A%2F%2Fcakes.example%2Ftwilio%2Fstatus" in form


def test_a_twilio_opt_out_fails_at_once(
    http_worker: Worker, database: Database, provider: ScriptedServer
) -> None:
    orders_ready(database, 1)
    body = {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}
    provider.answer(Answer(400, json.dumps(body).encode()))
    assert http_worker.run_once() == 1
    row = only(database, READY_MESSAGE)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "21610" in (row.last_error or "")
