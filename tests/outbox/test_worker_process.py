"""`cloudcity worker` killed with SIGKILL mid-batch, then restarted: every message goes out.

The worker runs as a real process with the local file transports (no provider keys) and a
short lease from the environment. The test freezes it (SIGSTOP) at a moment it holds a
claimed batch, kills it, restarts it, and counts the files written per order.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from cloudcity.db import Database
from tests.support.outbox import orders_ready
from tests.support.workers import StartWorker, worker_starter
from tests.support.workers import worker_env as support_env

MESSAGES = 300

pytestmark = pytest.mark.serial  # stops and kills a real worker process at a chosen moment


@pytest.fixture
def worker_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process: the test database, local transports, 2 s leases."""
    return support_env(database_url, tmp_path, CLOUDCITY_OUTBOX_BATCH_SIZE="10")


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[StartWorker]:
    """Start `cloudcity worker` processes; any still running at the end are killed."""
    with worker_starter(worker_env, tmp_path) as start:
        yield start


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_message_in_hand(
    database: Database,
    database_url: str,
    worker_env: dict[str, str],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    order_ids = orders_ready(database, MESSAGES)
    texts = Path(worker_env["CLOUDCITY_VAR_DIR"]) / "outbox" / "messages"
    first = start_worker()
    _wait_for(lambda: len(list(texts.glob("*.json"))) >= 10, what="the first sends")
    _freeze_holding_a_claim(first, database_url)
    first.kill()
    first.wait()
    left = _statuses(database_url)
    assert left["sending"] > 0, "the killed worker left its claimed batch behind"
    assert left["sent"] < MESSAGES

    second = start_worker()
    _wait_for(lambda: _statuses(database_url)["sent"] == MESSAGES, what="every message sent")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=20) == 0, "SIGTERM stops the worker cleanly"

    sends = Counter(_order_in(path) for path in texts.glob("*.json"))
    assert set(sends) == set(order_ids), "every order's message was written"
    repeats = sum(count - 1 for count in sends.values())
    # Only a message sent but not yet recorded when the worker died can go out again.
    assert repeats <= 1, sends.most_common(3)


def _freeze_holding_a_claim(process: subprocess.Popen[bytes], database_url: str) -> None:
    for _ in range(500):
        process.send_signal(signal.SIGSTOP)
        if _statuses(database_url)["sending"]:
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.002)
    pytest.fail("the worker never held a claimed batch while it was watched")


def _statuses(database_url: str) -> Counter[str]:
    """Outbox statuses, read without taking a lock a frozen worker might hold."""
    query = "SELECT status, count(*) FROM outbox GROUP BY status"
    if "://" not in database_url:
        with closing(sqlite3.connect(database_url, timeout=30)) as connection:
            return Counter(dict(connection.execute(query).fetchall()))
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return Counter(dict(connection.execute(sa.text(query)).all()))
    finally:
        engine.dispose()


def _order_in(path: Path) -> int:
    body = json.loads(path.read_text())["body"]
    return int(body.split("(order #", 1)[1].split(")", 1)[0])


def _wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)
