"""The worker loop: claim a batch, send each message outside the claim, record each result.

Healthy workers never send a message twice: a send starts only with half the lease still
ahead of it, and its result is written only while the lease is still this worker's. Two
cases can send a message twice, and only these: a worker killed (or its database lost)
after the provider accepted a message but before the result was written, and a send that
outlasts the half lease it started with (a hung provider); another worker then reclaims the
expired lease and sends again, and the late result is discarded. Neither Twilio's Messages
API nor SendGrid's mail send takes an idempotency key, so delivery is at least once; the
default lease (120 s) is well above the adapters' HTTP timeouts (15 s, 20 s) to keep the
second case to a provider that hangs far beyond them.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from cloudcity.clock import Clock, system_clock
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.repositories.outbox import Lease
from cloudcity.db.repositories.values import Claimed
from cloudcity.outbox.dispatch import Dispatcher, Obsolete
from cloudcity.outbox.ports import ReceiptRenderer, Senders
from cloudcity.outbox.retry import Backoff, after_failure
from cloudcity.outbox.status import CANCELLED
from cloudcity.providers.ports import DeliveryError

log = logging.getLogger(__name__)
# Twice the slowest adapter's HTTP timeout (SendGrid, 20 s) plus time to render a PDF: with a
# shorter lease a slow but healthy send can outlive its half lease and be sent twice.
SAFE_LEASE = timedelta(seconds=60)


def default_worker_id() -> str:
    """host:pid:random, unique per worker so a restarted process never inherits old leases."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Drains the outbox through a Dispatcher; one instance per thread."""

    def __init__(
        self,
        database: Database,
        dispatcher: Dispatcher,
        settings: Settings,
        *,
        batch_size: int | None = None,
        poll_interval: float | None = None,
        lease: float | None = None,
        worker_id: str | None = None,
        clock: Clock = system_clock,
        backoff: Backoff | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.database = database
        self.dispatcher = dispatcher
        self.max_attempts = settings.outbox_max_attempts
        self.batch_size = batch_size or settings.outbox_batch_size
        self.poll_interval = poll_interval or settings.outbox_poll_seconds
        self.lease = timedelta(seconds=lease or settings.outbox_lease_seconds)
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.jitter = jitter
        if self.lease < SAFE_LEASE:
            log.warning(
                "outbox lease is %.0f s: a provider answering slowly can outlast half of it "
                "and the message be sent twice; use CLOUDCITY_OUTBOX_LEASE_SECONDS >= %.0f",
                self.lease.total_seconds(),
                SAFE_LEASE.total_seconds(),
            )

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch and process it; answers how many messages were sent or failed."""
        batch = self._claim()
        for done, message in enumerate(batch):
            if (stop is not None and stop.is_set()) or not self._lease_covers(message):
                self._release(batch[done:])
                return done
            self._process(message)
        return len(batch)

    def run_forever(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set; the message in hand is always finished first."""
        log.info("outbox worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                processed = self.run_once(stop)
            except sa.exc.SQLAlchemyError:
                log.exception("outbox worker %s: database error; trying again", self.worker_id)
                processed = 0
            if processed < self.batch_size:
                stop.wait(self.poll_interval)
        log.info("outbox worker %s stopped", self.worker_id)

    def _claim(self) -> list[Claimed]:
        lease = Lease(self.worker_id, self.lease, self.max_attempts)
        with self.database.unit_of_work() as uow:
            return uow.outbox.claim(lease=lease, now=self.clock(), limit=self.batch_size)

    def _lease_covers(self, message: Claimed) -> bool:
        # Start a send only with half the lease to spare, so no one reclaims it mid-send.
        return self.clock() + self.lease / 2 <= message.locked_until

    def _process(self, message: Claimed) -> None:
        try:
            with self.database.reading() as reading:
                outgoing = self.dispatcher.prepare(reading, message, now=self.clock())
            provider_id = self.dispatcher.deliver(outgoing)
        except Obsolete as exc:
            self._cancelled(message, str(exc))
        except DeliveryError as exc:
            self._failed(message, exc)
        except Exception as exc:
            log.exception("outbox message %s (%s) could not be sent", message.id, message.kind)
            self._failed(message, DeliveryError(f"unexpected error: {exc!r}", permanent=False))
        else:
            self._sent(message, provider_id)

    def _sent(self, message: Claimed, provider_id: str) -> None:
        with self.database.unit_of_work() as uow:
            ours = uow.outbox.record_sent(
                message,
                worker_id=self.worker_id,
                provider_id=provider_id,
                now=self.clock(),
            )
        if not ours:
            log.warning("outbox message %s was sent after its lease expired", message.id)

    def _failed(self, message: Claimed, error: DeliveryError) -> None:
        now = self.clock()
        outcome = after_failure(
            error,
            attempts=message.attempts,
            max_attempts=self.max_attempts,
            now=now,
            backoff=self.backoff,
            jitter=self.jitter(),
        )
        log.warning("outbox message %s: %s -> %s", message.id, outcome.error, outcome.status)
        with self.database.unit_of_work() as uow:
            uow.outbox.record_failure(
                message,
                worker_id=self.worker_id,
                status=outcome.status,
                error=outcome.error,
                next_attempt_at=outcome.next_attempt_at,
                now=now,
            )

    def _cancelled(self, message: Claimed, reason: str) -> None:
        log.info("outbox message %s (%s) not sent: %s", message.id, message.kind, reason)
        with self.database.unit_of_work() as uow:
            uow.outbox.record_failure(
                message,
                worker_id=self.worker_id,
                status=CANCELLED,
                error=reason,
                next_attempt_at=None,
                now=self.clock(),
            )

    def _release(self, messages: list[Claimed]) -> None:
        with self.database.unit_of_work() as uow:
            uow.outbox.release(messages, worker_id=self.worker_id, now=self.clock())


def build_dispatcher(
    settings: Settings, providers: Senders, *, renderer: ReceiptRenderer | None = None
) -> Dispatcher:
    """A Dispatcher sending through the providers, rendering with cloudcity.documents by default."""
    if renderer is None:
        from cloudcity.outbox.receipts import DocumentsRenderer

        renderer = DocumentsRenderer()
    return Dispatcher(
        email=providers.email, messages=providers.messages, renderer=renderer, settings=settings
    )


def start_worker_thread(
    database: Database,
    settings: Settings,
    providers: Senders,
    *,
    renderer: ReceiptRenderer | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Run a worker in a daemon thread (the dev server's); set the event to stop it."""
    worker = Worker(database, build_dispatcher(settings, providers, renderer=renderer), settings)
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="cloudcity-outbox", daemon=True
    )
    thread.start()
    return thread, stop
