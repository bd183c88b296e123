"""Leases: abandoned claims are reclaimed, late results never overwrite, workers share a queue."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest

from cloudcity.clock import system_clock
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.repositories.outbox import Lease
from cloudcity.outbox.queue import READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker, start_worker_thread
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer
from tests.support.outbox import enqueue_text, only, place, rows


@pytest.fixture
def renderer() -> FakeRenderer:
    """Leases are about the queue, not the documents: render cheaply."""
    return FakeRenderer()


def test_a_claim_whose_worker_never_reports_is_reclaimed_and_sent_once(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    with database.unit_of_work() as uow:
        lease = Lease("crashed", timedelta(seconds=60), max_attempts=8)
        [abandoned] = uow.outbox.claim(lease=lease, now=clock(), limit=10)
    worker = make_worker(worker_id="healthy")
    assert worker.run_once() == 0, "still leased to the crashed worker"
    clock.advance(60)
    assert worker.run_once() == 1
    assert worker.run_once() == 0

    with database.unit_of_work() as uow:
        late = uow.outbox.record_sent(
            abandoned, worker_id="crashed", provider_id="late", now=clock()
        )
    assert late is False
    row = only(database, RECEIPT_EMAIL)
    # The crashed worker never began the send, so only the healthy worker's attempt counts.
    assert (row.status, row.provider_message_id, row.attempts) == ("sent", "email-1", 1)
    assert len(fake_email.sent) == 1


def test_a_worker_that_hung_past_its_lease_cannot_overwrite_the_result(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    place(database)
    hung = make_worker(worker_id="hung", lease=60.0)
    other = make_worker(worker_id="other", lease=60.0)

    def hang_while_the_other_worker_reclaims() -> None:
        clock.advance(61)
        assert other.run_once() == 1

    fake_email.before_next(hang_while_the_other_worker_reclaims)
    hung.run_once()
    row = only(database, RECEIPT_EMAIL)
    # Sent twice only because a worker outlived its lease; the record stays the other's.
    assert (row.status, row.provider_message_id, row.locked_by) == ("sent", "email-1", None)
    assert len(fake_email.sent) == 2


def test_a_worker_hands_back_what_it_has_no_lease_left_to_send(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    for n in range(3):
        place(database, number=f"+1415555010{n}", email=f"c{n}@example.com")
    fake_email.before_next(lambda: clock.advance(31))
    worker = make_worker(lease=60.0)
    assert worker.run_once() == 1
    statuses = [(r.status, r.attempts, r.locked_by) for r in rows(database, RECEIPT_EMAIL)]
    assert statuses == [("sent", 1, None), ("pending", 0, None), ("pending", 0, None)]
    assert worker.run_once() == 2
    assert len(fake_email.sent) == 3


def test_stopping_finishes_the_message_in_hand_and_hands_back_the_rest(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
) -> None:
    for n in range(3):
        place(database, number=f"+1415555010{n}", email=f"c{n}@example.com")
    stop = threading.Event()
    fake_email.before_next(stop.set)
    assert make_worker().run_once(stop) == 1
    assert [r.status for r in rows(database, RECEIPT_EMAIL)] == ["sent", "pending", "pending"]
    assert len(fake_email.sent) == 1


def test_run_forever_drains_the_outbox_and_stops_when_told(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
) -> None:
    place(database)
    stop = threading.Event()
    thread = threading.Thread(target=make_worker(poll_interval=0.02).run_forever, args=(stop,))
    thread.start()
    try:
        for _ in range(250):
            if fake_email.sent:
                break
            stop.wait(0.02)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert only(database, RECEIPT_EMAIL).status == "sent"


def test_two_workers_draining_one_outbox_send_each_message_once(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
) -> None:
    order_ids = []
    for n in range(30):
        order_ids.append(place(database, number=f"+141555501{n:02d}", email=f"c{n}@example.com"))
        enqueue_text(database, order_ids[-1])
    fake_messages.latency = 0.002
    workers = [make_worker(worker_id=f"w{n}", batch_size=4) for n in range(2)]
    threads = [threading.Thread(target=_drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert {r.status for r in rows(database)} == {"sent"}
    sends = Counter(m.body for m in fake_messages.sent)
    assert len(sends) == len(order_ids)
    assert set(sends.values()) == {1}
    assert len(rows(database, READY_MESSAGE)) == len(order_ids)


def _drain(worker: Worker) -> None:
    idle = 0
    while idle < 3:  # PostgreSQL skips rows the other worker holds: look again before leaving
        idle = idle + 1 if worker.run_once() == 0 else 0


def test_the_dev_servers_worker_thread_sends_and_stops(
    database: Database,
    settings: Settings,
    fake_email: FakeEmailSender,
    fake_messages: FakeMessageSender,
) -> None:
    place(database)
    senders = SimpleNamespace(email=fake_email, messages=fake_messages)
    thread, stop = start_worker_thread(database, settings, senders, renderer=FakeRenderer())
    try:
        for _ in range(250):
            if fake_email.sent:
                break
            stop.wait(0.02)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert only(database, RECEIPT_EMAIL).status == "sent"


def test_a_lease_or_grace_period_too_short_is_called_out(
    make_worker: Callable[..., Worker], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    make_worker(lease=15.0)
    assert "outbox lease" not in caplog.text
    make_worker(lease=3.0)
    assert "outbox lease is 3 s" in caplog.text
    assert "CLOUDCITY_OUTBOX_LEASE_SECONDS >= 6" in caplog.text
    make_worker(settings.model_copy(update={"outbox_doubt_grace_seconds": 5.0}))
    assert "CLOUDCITY_OUTBOX_DOUBT_GRACE_SECONDS >= 25" in caplog.text


def test_a_worker_killed_right_after_each_claim_leaves_its_batch_unharmed(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    for n in range(5):
        place(database, number=f"+1415555010{n}", email=f"c{n}@example.com")
    for crash in range(10):  # more crashes than max_attempts
        with database.unit_of_work() as uow:
            lease = Lease(f"crashed-{crash}", timedelta(seconds=15), max_attempts=8)
            assert len(uow.outbox.claim(lease=lease, now=clock(), limit=10)) == 5
        clock.advance(15)
    assert {(r.status, r.attempts) for r in rows(database, RECEIPT_EMAIL)} == {("sending", 0)}
    assert make_worker().run_once() == 5
    assert {(r.status, r.attempts) for r in rows(database, RECEIPT_EMAIL)} == {("sent", 1)}
    assert len(fake_email.sent) == 5


def test_the_message_that_keeps_killing_its_worker_is_the_one_set_aside(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    for n in range(4):
        place(database, number=f"+1415555010{n}", email=f"c{n}@example.com")
    for crash in range(3):
        with database.unit_of_work() as uow:
            lease = Lease(f"crashed-{crash}", timedelta(seconds=15), max_attempts=3)
            claimed = uow.outbox.claim(lease=lease, now=clock(), limit=10)
            poison = min(claimed, key=lambda m: m.id)
        with database.unit_of_work() as uow:  # the send begins, and the process dies
            assert uow.outbox.begin(poison, worker_id=f"crashed-{crash}", now=clock())
        clock.advance(15)
    worker = make_worker(settings.model_copy(update={"outbox_max_attempts": 3}))
    assert worker.run_once() == 3
    found = [(r.status, r.attempts) for r in rows(database, RECEIPT_EMAIL)]
    assert found == [("dead", 3), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert "gave up after 3 attempts" in (rows(database, RECEIPT_EMAIL)[0].last_error or "")


def test_the_heartbeat_keeps_a_slow_send_leased_to_its_worker(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
) -> None:
    place(database)
    worker = make_worker(clock=system_clock, lease=0.6)
    others: list[int] = []

    def outlast_the_lease_while_another_worker_looks() -> None:
        time.sleep(1.0)
        with database.unit_of_work() as uow:
            lease = Lease("other", timedelta(seconds=15), max_attempts=8)
            others.extend(m.id for m in uow.outbox.claim(lease=lease, now=system_clock(), limit=5))

    fake_email.before_next(outlast_the_lease_while_another_worker_looks)
    assert worker.run_once() == 1
    assert others == [], "renewed: no one else could claim it mid-send"
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts, row.sending_since) == ("sent", 1, None)
    assert len(fake_email.sent) == 1
