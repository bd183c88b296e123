"""/readyz follows a real `cloudcity worker`: killed, 503 once its heartbeat is stale; back, 200."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app
from tests.support.outbox import place
from tests.support.workers import StartWorker, wait_until, worker_env, worker_starter

pytestmark = pytest.mark.serial  # starts and kills real worker processes

STALE = "1.5"  # seconds without a heartbeat before the worker counts as down


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[StartWorker]:
    """Start worker processes beating every 0.2 s; any still running at the end are killed."""
    env = worker_env(database_url, tmp_path, CLOUDCITY_WORKER_HEARTBEAT_SECONDS="0.2")
    with worker_starter(env, tmp_path) as start:
        yield start


@pytest.fixture
def ready_client(settings: Settings, database: Database) -> FlaskClient:
    """An app whose readiness calls a worker silent for 1.5 s down."""
    quick = settings.model_copy(update={"ready_worker_stale_seconds": float(STALE)})
    app: Flask = create_app(quick, database=database)
    return app.test_client()


def test_readyz_sees_the_worker_die_and_come_back(
    ready_client: FlaskClient, database: Database, start_worker: StartWorker
) -> None:
    place(database)
    assert _status(ready_client) == 503  # a receipt waits and no worker ever beat
    worker = start_worker()
    wait_until(lambda: _status(ready_client) == 200, "the worker sends and beats")
    worker.kill()
    worker.wait()
    place(database, number="whatsapp:+14155550111", email="bo@example.com")
    wait_until(lambda: _status(ready_client) == 503, "the dead worker's heartbeat goes stale")
    body = ready_client.get("/readyz").json
    assert body is not None
    assert "no outbox worker has sent a heartbeat for" in body["error"]
    start_worker()
    wait_until(lambda: _status(ready_client) == 200, "the new worker sends and beats")


def _status(client: FlaskClient) -> int:
    return client.get("/readyz").status_code
