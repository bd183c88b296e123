"""The worker loop: claim a batch, send each message outside the claim, record each result.

An attempt counts when that message's send begins (`begin`), so a message that keeps
killing its worker is the one set aside, never the rest of its batch. A heartbeat renews
the lease on the batch every third of it while the worker works, so the lease is short
(6 s by default): what a killed worker held is due again within one lease.

`begin` also marks the message in doubt (`sending_since`, cleared when a result is
written) and makes it due again no sooner than a grace period (30 s) later. So a message
whose worker died, or lost its lease, mid-send is not reclaimed while that send can still be
running (the adapters' HTTP timeouts are 15 s and 20 s): two live workers never send the
same message. After the grace period a delivery report naming the outbox id (Twilio's
status callback, SendGrid's custom_args) will have marked it sent; if none did, texts are
looked up in Twilio's message list, and only a message found nowhere is sent again. The
local transports find their own files at once and need no grace period.

Still at least once: SendGrid takes no idempotency key and cannot be asked, so a receipt
whose worker died after SendGrid accepted it, and whose events never reach us within the
grace period, is sent twice; so is a text Twilio took but does not list yet.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa

from cloudcity.clock import Clock, system_clock
from cloudcity.config import Settings
from cloudcity.db import Database, UnitOfWork
from cloudcity.db.repositories.outbox import Lease
from cloudcity.db.repositories.values import Claimed
from cloudcity.logs import fields
from cloudcity.metrics import CHAT_MESSAGES, SEND_ATTEMPTS, SEND_FAILURES, error_class
from cloudcity.outbox.dispatch import Dispatcher, Obsolete, Ready
from cloudcity.outbox.photo_job import Job, default_jobs
from cloudcity.outbox.ports import ReceiptRenderer, Senders
from cloudcity.outbox.queue import STAFF_MESSAGE
from cloudcity.outbox.retry import Backoff, after_failure
from cloudcity.outbox.status import CANCELLED
from cloudcity.providers.ports import DeliveryError
from cloudcity.retention import Ages, prune

log = logging.getLogger(__name__)
# The heartbeat renews every third of the lease; below this a busy database can delay a
# renewal past the lease's end, and another worker reclaim a message mid-send.
SAFE_LEASE = timedelta(seconds=6)
# Above the adapters' HTTP timeouts (Twilio 15 s, SendGrid 20 s) plus a render: a send in
# doubt must not be reclaimed while its provider call can still be running.
SAFE_GRACE = timedelta(seconds=25)
# Heartbeat rows of workers silent for longer than this are dropped when a worker starts.
FORGET_WORKERS_AFTER = timedelta(days=1)
PRUNE_EVERY = timedelta(days=1)
JOB = "job"  # the provider named in a job run's log line: the worker itself does the work


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
        jobs: Mapping[str, Job] | None = None,
    ) -> None:
        self.database = database
        self.dispatcher = dispatcher
        self.jobs = default_jobs(database, settings) if jobs is None else jobs
        self.max_attempts = settings.outbox_max_attempts
        self.batch_size = batch_size or settings.outbox_batch_size
        self.poll_interval = poll_interval or settings.outbox_poll_seconds
        self.lease = timedelta(seconds=lease or settings.outbox_lease_seconds)
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.jitter = jitter
        self.grace = timedelta(seconds=settings.outbox_doubt_grace_seconds)
        self._held_until: datetime | None = None
        self.heartbeat_every = timedelta(seconds=settings.worker_heartbeat_seconds)
        self._last_beat: datetime | None = None
        self.prune_daily = settings.prune_daily
        self.retention = Ages.from_settings(settings)
        self.prune_batch_size = settings.prune_batch_size
        self._last_prune: datetime | None = None
        if self.lease < SAFE_LEASE:
            log.warning(
                "outbox lease is %.0f s: a slow heartbeat can let it lapse mid-send and "
                "another worker reclaim the message; use CLOUDCITY_OUTBOX_LEASE_SECONDS >= %.0f",
                self.lease.total_seconds(),
                SAFE_LEASE.total_seconds(),
            )
        if self.grace < SAFE_GRACE:
            log.warning(
                "outbox grace period is %.0f s: a send in doubt can be repeated while the first "
                "is still running; use CLOUDCITY_OUTBOX_DOUBT_GRACE_SECONDS >= %.0f",
                self.grace.total_seconds(),
                SAFE_GRACE.total_seconds(),
            )

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch and process it; answers how many messages were sent or failed."""
        self._beat_if_due()
        self._prune_if_due()
        batch = self._claim()
        if not batch:
            return 0
        self._held_until = min(m.locked_until for m in batch)
        # Each result is written in the transaction that begins the next send (or releases the
        # rest, or on its own after the last): one transaction a message, not two.
        result: Settlement | None = None
        with self._heartbeat(batch):
            for done, message in enumerate(batch):
                if (stop is not None and stop.is_set()) or not self._lease_covers():
                    self._release(batch[done:], after=result)
                    return done
                self._beat_if_due()
                result = self._process(message, after=result)
            if result is not None:
                self.database.run(result)
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

    def _beat_if_due(self) -> None:
        """Tell the database this worker is alive, at most once per heartbeat interval."""
        now = self.clock()
        if self._last_beat is not None and now - self._last_beat < self.heartbeat_every:
            return
        first = self._last_beat is None
        try:
            with self.database.unit_of_work() as uow:
                uow.heartbeats.beat(self.worker_id, now=now)
                if first:
                    uow.heartbeats.forget_before(now - FORGET_WORKERS_AFTER)
        except sa.exc.SQLAlchemyError:
            log.warning("outbox worker %s: heartbeat not recorded", self.worker_id, exc_info=True)
            return
        self._last_beat = now

    def _prune_if_due(self) -> None:
        """Once a day (when CLOUDCITY_PRUNE_DAILY), remove what is past its retention age."""
        now = self.clock()
        if not self.prune_daily or (
            self._last_prune is not None and now - self._last_prune < PRUNE_EVERY
        ):
            return
        self._last_prune = now  # a failed prune waits for tomorrow, not for the next poll
        try:
            # A long prune must not look like a dead worker to /readyz: beat between batches.
            prune(
                self.database,
                now=now,
                ages=self.retention,
                batch_size=self.prune_batch_size,
                between_batches=self._beat_if_due,
            )
        except sa.exc.SQLAlchemyError:
            log.warning("outbox worker %s: daily prune failed", self.worker_id, exc_info=True)

    def _claim(self) -> list[Claimed]:
        lease = Lease(self.worker_id, self.lease, self.max_attempts)
        return self.database.run(
            lambda uow: uow.outbox.claim(lease=lease, now=self.clock(), limit=self.batch_size)
        )

    def _lease_covers(self) -> bool:
        # Start a send only with half the lease to spare (as last renewed), so that even a
        # heartbeat that stalls leaves time to finish before anyone may reclaim it.
        held = self._held_until
        return held is not None and self.clock() + self.lease / 2 <= held

    @contextmanager
    def _heartbeat(self, batch: list[Claimed]) -> Iterator[None]:
        stop = threading.Event()
        ids = [m.id for m in batch]
        beat = threading.Thread(target=self._renew, args=(stop, ids), daemon=True)
        beat.start()
        try:
            yield
        finally:
            stop.set()
            beat.join()

    def _renew(self, stop: threading.Event, ids: list[int]) -> None:
        """Every third of the lease, extend it on what this worker still holds."""
        while not stop.wait(self.lease.total_seconds() / 3):
            until = self.clock() + self.lease
            try:
                held = self.database.run(partial(self._renew_in, ids=ids, until=until))
            except sa.exc.SQLAlchemyError:
                log.warning("outbox worker %s: lease not renewed", self.worker_id, exc_info=True)
                continue
            self._held_until = until
            if not held:
                return

    def _renew_in(self, uow: UnitOfWork, *, ids: list[int], until: datetime) -> int:
        return uow.outbox.renew(ids, worker_id=self.worker_id, until=until)

    def _process(self, claimed: Claimed, *, after: Settlement | None) -> Settlement | None:
        """Send one message; the result to write (with the next message's begin)."""
        message = self._begin(claimed, after=after)
        if message is None:
            log.warning("outbox message %s is no longer this worker's; skipped", claimed.id)
            return None
        started = time.perf_counter()
        job = self.jobs.get(message.kind)
        if job is not None:
            outcome, error, result = self._run_job(job, message)
            self._log_send(message, outcome, error, time.perf_counter() - started, provider=JOB)
            return result
        outcome, error, result = self._attempt(
            message, was_in_doubt=claimed.in_doubt_since is not None
        )
        self._log_send(message, outcome, error, time.perf_counter() - started)
        if message.kind == STAFF_MESSAGE and outcome in ("sent", "found_sent"):
            CHAT_MESSAGES.labels("out").inc()  # a baker's reply in the chat, as the bot's are
        return result

    def _attempt(
        self, message: Claimed, *, was_in_doubt: bool
    ) -> tuple[str, Exception | None, Settlement]:
        """Send one begun message: the outcome, its error, and the result to write."""
        calling = False
        try:
            with self.database.reading() as reading:
                outgoing = self.dispatcher.prepare(reading, message, now=self.clock())
            ready = self.dispatcher.ready(outgoing, outbox_id=message.id)
            if (found := self._found_sent(message, ready)) is not None:
                return "found_sent", None, self._sent(message, found)
            calling = True
            SEND_ATTEMPTS.labels(self.dispatcher.provider(message.kind), message.kind).inc()
            provider_id = self.dispatcher.send(ready)
        except Obsolete as exc:
            return "cancelled", None, self._cancelled(message, str(exc))
        except Exception as exc:
            SEND_FAILURES.labels(self.dispatcher.provider(message.kind), error_class(exc)).inc()
            error = exc if isinstance(exc, DeliveryError) else self._unexpected(message, exc)
            # A timeout or lost connection may hide an accepted message, and an earlier
            # send in doubt stays in doubt: the next attempt looks for it first.
            unclear = calling and not error.permanent and error.status is None
            return "failed", exc, self._failed(message, error, in_doubt=was_in_doubt or unclear)
        return "sent", None, self._sent(message, provider_id)

    def _log_send(
        self,
        message: Claimed,
        outcome: str,
        error: Exception | None,
        seconds: float,
        *,
        provider: str | None = None,
    ) -> None:
        """One line per send or job run: which message, for which request and order, and how
        it went."""
        line = fields(
            outbox_id=message.id,
            kind=message.kind,
            provider=provider or self.dispatcher.provider(message.kind),
            order_id=message.order_id,
            request_id=message.request_id,
            recipient=message.recipient,
            attempt=message.attempts,
            outcome=outcome,
            error_class=None if error is None else error_class(error),
            duration_ms=round(seconds * 1000, 1),
        )
        level = logging.WARNING if error is not None else logging.INFO
        what = "job" if provider == JOB else "send"
        log.log(level, "outbox %s %s: %s", what, message.id, outcome, extra=line)

    def _run_job(self, job: Job, message: Claimed) -> tuple[str, Exception | None, Settlement]:
        try:
            result = job.run(message, now=self.clock())
        except Exception as exc:
            error = exc if isinstance(exc, DeliveryError) else self._unexpected(message, exc)
            return "failed", exc, self._failed(message, error)
        return "done", None, self._sent(message, result)

    def _unexpected(self, message: Claimed, exc: Exception) -> DeliveryError:
        log.exception("outbox message %s (%s) could not be sent", message.id, message.kind)
        return DeliveryError(f"unexpected error: {exc!r}", permanent=False)

    def _begin(self, message: Claimed, *, after: Settlement | None) -> Claimed | None:
        # Repeated after a lost COMMIT, an attempt may count twice: never a message lost.
        # A job repeated does no harm, so it never waits for a report that cannot come.
        grace = (
            timedelta(0)
            if message.kind in self.jobs
            else self.dispatcher.doubt_grace(message.kind, self.grace)
        )

        def begin(uow: UnitOfWork) -> Claimed | None:
            if after is not None:
                after(uow)
            return uow.outbox.begin(
                message, worker_id=self.worker_id, now=self.clock(), grace=grace
            )

        return self.database.run(begin)

    def _found_sent(self, message: Claimed, ready: Ready) -> str | None:
        if message.in_doubt_since is None:
            return None
        found = self.dispatcher.find_sent(ready, since=message.in_doubt_since)
        if found is not None:
            log.info("outbox message %s was sent before (%s): not sending again", message.id, found)
        return found

    def _sent(self, message: Claimed, provider_id: str) -> Settlement:
        now = self.clock()

        def record(uow: UnitOfWork) -> None:
            ours = uow.outbox.record_sent(
                message, worker_id=self.worker_id, provider_id=provider_id, now=now
            )
            if not ours:
                log.warning(
                    "outbox message %s: sent, but its row was settled meanwhile (a delivery "
                    "report, or another worker after the lease expired)",
                    message.id,
                )

        return record

    def _failed(
        self, message: Claimed, error: DeliveryError, *, in_doubt: bool = False
    ) -> Settlement:
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
        next_attempt_at = _after_grace(outcome.next_attempt_at, now + self.grace, in_doubt)
        return self._failure(message, outcome.status, outcome.error, next_attempt_at, in_doubt)

    def _cancelled(self, message: Claimed, reason: str) -> Settlement:
        log.info("outbox message %s (%s) not sent: %s", message.id, message.kind, reason)
        return self._failure(message, CANCELLED, reason, None, in_doubt=False)

    def _failure(
        self,
        message: Claimed,
        status: str,
        error: str,
        next_attempt_at: datetime | None,
        in_doubt: bool,
    ) -> Settlement:
        now = self.clock()

        def record(uow: UnitOfWork) -> None:
            uow.outbox.record_failure(
                message,
                worker_id=self.worker_id,
                status=status,
                error=error,
                next_attempt_at=next_attempt_at,
                now=now,
                in_doubt=in_doubt,
            )

        return record

    def _release(self, messages: list[Claimed], *, after: Settlement | None) -> None:
        def release(uow: UnitOfWork) -> None:
            if after is not None:
                after(uow)
            uow.outbox.release(messages, worker_id=self.worker_id, now=self.clock())

        self.database.run(release)


# A message's result, written by the unit of work that runs it (repeatable: the database may
# retry the whole unit after a lost connection).
Settlement = Callable[[UnitOfWork], None]


def _after_grace(
    next_attempt_at: datetime | None, grace_ends: datetime, in_doubt: bool
) -> datetime | None:
    if next_attempt_at is None or not in_doubt:
        return next_attempt_at
    return max(next_attempt_at, grace_ends)


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
