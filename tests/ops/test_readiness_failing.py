"""/readyz sees a message failing again and again, and messages that gave up, though workers
beat and nothing looks due (backoff keeps moving a failing message's due time)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.outbox.status import DEAD
from cloudcity.web import create_app
from tests.ops.test_metrics import scrape, value
from tests.support.clock import FakeClock, on_clock
from tests.support.fakes import FakeEmailSender, server_error
from tests.support.outbox import fake_worker, place, rows

RETRYING = 300.0


def _client(settings: Settings, database: Database, clock: FakeClock) -> FlaskClient:
    return on_clock(create_app(settings, database=database), clock).test_client()


def _ready(client: FlaskClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    assert response.json is not None
    return response.status_code, response.json


def test_a_message_failing_past_the_threshold_since_its_first_attempt_is_reported(
    settings: Settings, database: Database
) -> None:
    settings = settings.model_copy(
        update={"ready_retrying_seconds": RETRYING, "outbox_max_attempts": 30}
    )
    place(database)
    email, clock = FakeEmailSender(), FakeClock(utcnow() + timedelta(minutes=1))
    email.fail_next(server_error(), times=30)
    worker = fake_worker(database, settings, email=email, clock=clock)
    client, first = _client(settings, database, clock), clock()
    while True:
        assert worker.run_once() == 1
        status, body = _ready(client)
        if clock() - first <= timedelta(seconds=RETRYING):
            assert status == 200, body  # a few failures in a short while are no alarm
        else:
            break
        (message,) = rows(database)
        clock.now = message.next_attempt_at + timedelta(seconds=1)
    assert status == 503
    assert len(body["details"]) == 1  # the due and heartbeat checks see nothing wrong
    assert "an outbox message has kept failing for" in body["error"]
    assert body["oldest_retrying_seconds"] > RETRYING
    assert body["outbox_due"] == 0


def test_a_message_that_gave_up_is_reported_within_the_window(
    client: FlaskClient, settings: Settings, database: Database
) -> None:
    settings = settings.model_copy(update={"outbox_max_attempts": 1, "ready_dead_hours": 6.0})
    place(database)
    email, clock = FakeEmailSender(), FakeClock(utcnow() + timedelta(minutes=1))
    email.fail_next(server_error())
    assert fake_worker(database, settings, email=email, clock=clock).run_once() == 1
    assert [m.status for m in rows(database)] == [DEAD]
    ready = _client(settings, database, clock)
    status, body = _ready(ready)
    assert status == 503
    assert body["outbox_dead_recent"] == 1
    assert body["details"] == [
        "1 outbox message(s) gave up (dead) in the last 6 h: see `cloudcity outbox list`, "
        "then `cloudcity outbox retry ID` once the cause is fixed"
    ]
    assert value(scrape(client), "cloudcity_outbox_dead_recent") == 1
    clock.advance(hours=6, seconds=1)
    assert _ready(ready)[0] == 200
    off = settings.model_copy(update={"ready_dead_hours": 0.0})
    clock.advance(hours=-6)
    assert _ready(_client(off, database, clock))[0] == 200
