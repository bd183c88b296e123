"""/readyz: the database, a live worker while messages wait, and no message stuck."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.web import create_app
from tests.support.clock import FakeClock, on_clock
from tests.support.outbox import place


def _beat(database: Database, clock: FakeClock, worker_id: str = "w1") -> None:
    with database.unit_of_work() as uow:
        uow.heartbeats.beat(worker_id, now=clock())


def test_ready_when_nothing_waits_even_without_a_worker(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "outbox_due": 0,
        "oldest_due_seconds": None,
        "worker_heartbeat_age_seconds": None,
        "outbox_dead_recent": 0,
        "oldest_retrying_seconds": None,
    }


def test_not_ready_when_messages_wait_and_no_worker_ever_beat(
    client: FlaskClient, database: Database
) -> None:
    place(database)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body is not None
    assert body["status"] == "unavailable"
    assert "no outbox worker has sent a heartbeat ever" in body["error"]
    assert body["outbox_due"] == 1


def test_not_ready_when_a_due_message_waited_too_long_though_a_worker_beats(
    app: Flask, database: Database, settings: Settings
) -> None:
    place(database)
    clock = FakeClock(utcnow() + timedelta(seconds=settings.ready_outbox_stuck_seconds + 5))
    client = on_clock(app, clock).test_client()
    _beat(database, clock)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body is not None
    assert len(body["details"]) == 1
    assert "the oldest due outbox message has waited" in body["error"]
    assert body["oldest_due_seconds"] > settings.ready_outbox_stuck_seconds


def test_a_silent_worker_is_reported_with_its_age(
    app: Flask, database: Database, settings: Settings
) -> None:
    place(database)
    clock = FakeClock(utcnow() + timedelta(seconds=5))
    client = on_clock(app, clock).test_client()
    _beat(database, clock)
    assert client.get("/readyz").status_code == 200
    clock.advance(seconds=settings.ready_worker_stale_seconds + 1)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body is not None
    assert body["details"] == [
        f"no outbox worker has sent a heartbeat for {settings.ready_worker_stale_seconds + 1:.0f}"
        " s while 1 message(s) wait: start `cloudcity worker` (or look at why it stopped)"
    ]
    assert body["worker_heartbeat_age_seconds"] == settings.ready_worker_stale_seconds + 1


def test_not_ready_when_the_database_is_gone(settings: Settings) -> None:
    broken = Database.connect("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    response = create_app(settings, database=broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["error"] == "the database is not reachable"  # type: ignore[index]


def test_healthz_stays_ok_while_readyz_is_not(client: FlaskClient, database: Database) -> None:
    place(database)
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200
