"""Workers SIGKILLed at random while receipts and ready messages flow: nothing lost, nothing
set aside that was never tried, nothing sent twice.

Two `cloudcity worker` processes send through the local file transports, whose texts call
our status callback as Twilio would (the app serves it from this process). Kills land at
random moments, right after a claim (a batch held, nothing begun) and right after the
provider call (the file written, the result not yet recorded); each killed worker is
replaced at once, as a supervisor would. Then the outbox is drained and every message is
counted in the local outbox, by its outbox id.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import OutboxMessage
from cloudcity.web import create_app
from tests.support.outbox import orders_ready, place
from tests.support.workers import StartWorker, worker_env, worker_starter

KILLS = 24
RECEIPTS = 2  # per kill: orders keep coming while workers die
TEXTS = 5
MAX_ATTEMPTS = 8

pytestmark = pytest.mark.serial


@pytest.fixture
def callback_url(settings: Settings, database: Database) -> Iterator[str]:
    """The app serving /twilio/status on a free port, in a thread of this process."""
    server = make_server("127.0.0.1", 0, create_app(settings, database=database), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def workers(database_url: str, tmp_path: Path, callback_url: str) -> Iterator[StartWorker]:
    """Start `cloudcity worker` processes (2 s leases); any still running are killed at the end."""
    env = worker_env(
        database_url,
        tmp_path,
        CLOUDCITY_PUBLIC_URL=callback_url,
        CLOUDCITY_OUTBOX_BATCH_SIZE="8",
        CLOUDCITY_OUTBOX_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
    )
    with worker_starter(env, tmp_path) as start:
        yield start


def test_random_kills_lose_nothing_bury_nothing_untried_and_send_nothing_twice(
    database: Database,
    tmp_path: Path,
    workers: Callable[[], subprocess.Popen[bytes]],
) -> None:
    running = [workers(), workers()]
    chance = random.Random(13)
    moments = [_after_claim, _after_send, _anytime] * (KILLS // 3)
    deadline, kills = time.monotonic() + 40, Counter[str]()
    for round_, moment in enumerate(moments):
        if time.monotonic() > deadline:
            break
        _enqueue(database, round_)
        kills[moment.__name__] += 1
        victim = chance.randrange(2)
        moment(running[victim], database, tmp_path, chance)
        running[victim].kill()
        running[victim].wait()
        running[victim] = workers()
    ids = [row.id for row in _rows(database)]
    _wait_for(lambda: _settled(database) == len(ids), what="every message settled", timeout=60)

    assert kills.total() >= KILLS // 2, kills
    rows = _rows(database)
    assert Counter(row.status for row in rows) == {"sent": len(ids)}, "0 lost, 0 dead"
    sends = _sends(tmp_path)
    assert set(sends) == set(ids), "every message went out"
    twice = {outbox_id: n for outbox_id, n in sends.items() if n > 1}
    assert twice == {}, "with status callbacks delivered, 0 sent twice"


def _enqueue(database: Database, round_: int) -> None:
    for n in range(round_ * RECEIPTS, (round_ + 1) * RECEIPTS):
        place(database, number=f"+1415555{n:04d}", email=f"c{n}@example.com")
    orders_ready(database, TEXTS, number="+14155559999")  # SMS: no WhatsApp window to mind


def _after_claim(
    process: subprocess.Popen[bytes], database: Database, _: Path, __: random.Random
) -> None:
    """Freeze the worker when it holds a claimed batch none of which it has begun."""

    def holds_a_fresh_claim() -> bool:
        rows = _held_by(database, process.pid)
        return bool(rows) and all(row.sending_since is None for row in rows)

    _freeze_when(process, holds_a_fresh_claim)


def _after_send(
    process: subprocess.Popen[bytes], database: Database, tmp_path: Path, __: random.Random
) -> None:
    """Freeze the worker when a message it holds is written out but not yet recorded."""

    def sent_not_recorded() -> bool:
        begun = {row.id for row in _held_by(database, process.pid) if row.sending_since}
        return bool(begun & set(_sends(tmp_path)))

    _freeze_when(process, sent_not_recorded)


def _anytime(_: subprocess.Popen[bytes], __: Database, ___: Path, chance: random.Random) -> None:
    time.sleep(chance.uniform(0.05, 0.6))


def _freeze_when(process: subprocess.Popen[bytes], condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 3  # a worker between batches, or drained: kill it anyway
    while time.monotonic() < deadline:
        process.send_signal(signal.SIGSTOP)
        if _quietly(condition):
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.003)


def _quietly(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except sa.exc.OperationalError:  # SQLite's WAL: a reader racing a frozen writer's index lock
        return False


def _rows(database: Database) -> list[OutboxMessage]:
    with database.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _held_by(database: Database, pid: int) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(
        OutboxMessage.status == "sending", OutboxMessage.locked_by.contains(f":{pid}:")
    )
    with database.sessions() as session:
        return list(session.scalars(query))


def _settled(database: Database) -> int:
    return sum(row.status in ("sent", "failed", "dead") for row in _rows(database))


def _sends(tmp_path: Path) -> Counter[int]:
    """How many times each outbox id was written to the local outbox."""
    found: Counter[int] = Counter()
    outbox = tmp_path / "var" / "outbox"
    for path in (outbox / "messages").glob("*.json"):
        found[json.loads(path.read_text())["outbox_id"]] += 1
    for path in (outbox / "emails").glob("*.eml"):
        with path.open("rb") as stream:
            header = BytesHeaderParser().parse(stream)["X-Cloudcity-Custom-Args"]
        found[int(json.loads(header)["outbox_id"])] += 1
    return found


def _wait_for(condition: Callable[[], bool], *, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
