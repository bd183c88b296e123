"""The worker as a service: it beats while a long prune runs, and logs each job it runs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import ChatMessage
from cloudcity.db.repositories.values import Claimed
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.queue import FETCH_PHOTO
from cloudcity.outbox.worker import Worker
from cloudcity.providers.ports import DeliveryError
from tests.ops import test_logs
from tests.ops.test_logs import Capture, json_lines
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

BATCHES = 4
capture = test_logs.capture  # the fixture: log lines as JSON, for one test


class TickingClock(FakeClock):
    """A clock that moves a minute each time it is read: a slow database, in short."""

    def __call__(self) -> datetime:
        self.advance(minutes=1)
        return self.now


class FakeJob:
    """A job that works, or fails once told to; remembers what it ran."""

    def __init__(self) -> None:
        self.ran: list[int] = []
        self.error: DeliveryError | None = None

    def run(self, message: Claimed, *, now: datetime) -> str:
        """Run (or fail); answers a result id."""
        self.ran.append(message.id)
        if self.error is not None:
            raise self.error
        return f"photo-{message.id}"


def _bodies(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(sa.select(ChatMessage.body)))


def _worker(database: Database, settings: Settings, clock: FakeClock, **options: object) -> Worker:
    dispatcher = Dispatcher(
        email=FakeEmailSender(),
        messages=FakeMessageSender(),
        renderer=FakeRenderer(),
        settings=settings,
    )
    return Worker(
        database, dispatcher, settings, clock=clock, lease=60.0, jitter=lambda: 0.5, **options
    )  # type: ignore[arg-type]


def test_the_worker_beats_between_prune_batches(database: Database, settings: Settings) -> None:
    with database.unit_of_work() as uow:
        uow.session.add_all(
            ChatMessage(address="+14155550100", direction="in", body="old", created_at=at)
            for at in [utcnow() - timedelta(days=800)] * BATCHES
        )
    daily = settings.model_copy(update={"prune_daily": True, "prune_batch_size": 1})
    start = utcnow()
    clock = TickingClock(start)
    worker = _worker(database, daily, clock, worker_id="pruner")
    worker.run_once()
    with database.reading() as reading:
        latest = reading.heartbeats.latest()
    assert latest is not None
    # The first beat came a minute in, before the prune; one more came after each batch.
    assert latest >= start + timedelta(minutes=1 + BATCHES)
    assert _bodies(database) == []


@pytest.mark.parametrize("fails", [False, True])
def test_each_job_run_writes_one_structured_line(
    database: Database,
    settings: Settings,
    capture: Capture,
    fails: bool,
) -> None:
    stream = capture(True)
    job = FakeJob()
    if fails:
        job.error = DeliveryError("the media host answered 503", permanent=False, status=503)
    with database.unit_of_work() as uow:
        uow.outbox.enqueue(kind=FETCH_PHOTO, key="photo:1", recipient="+14155550100", now=utcnow())
    worker = _worker(
        database, settings, FakeClock(utcnow() + timedelta(minutes=1)), jobs={FETCH_PHOTO: job}
    )
    assert worker.run_once() == 1
    assert len(job.ran) == 1
    lines = [line for line in json_lines(stream) if line.get("kind") == FETCH_PHOTO]
    assert len(lines) == 1
    (line,) = lines
    assert line["outbox_id"] == job.ran[0]
    assert line["provider"] == "job"
    assert line["outcome"] == ("failed" if fails else "done")
    assert line.get("error_class") == ("provider_error" if fails else None)
    assert line["level"] == ("WARNING" if fails else "INFO")
    assert line["duration_ms"] >= 0
    assert "+14155550100" not in stream.getvalue()
