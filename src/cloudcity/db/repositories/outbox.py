"""The outbox: messages written with the change that caused them, claimed by workers.

A claim is one short transaction: PostgreSQL skips rows another worker has locked
(FOR UPDATE SKIP LOCKED); SQLite's IMMEDIATE transactions let one writer claim at a time.
Results are written with `locked_by = me`, so a worker whose lease expired (and whose
message another worker reclaimed) cannot overwrite the newer result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.dialect import claim_batch, insert_ignore, insert_ignore_id
from cloudcity.db.models import OutboxMessage
from cloudcity.db.repositories.values import Claimed
from cloudcity.logs import REQUEST_ID
from cloudcity.outbox.status import CANCELLED, DEAD, DUE, PENDING, RETRY, SENDING, SENT


@dataclass(frozen=True)
class NewMessage:
    """A message to add to the outbox: due at `not_before`, or at once when that is None."""

    kind: str
    key: str
    recipient: str
    payload: dict[str, Any] | None = None
    order_id: int | None = None
    not_before: datetime | None = None


def _row(message: NewMessage, now: datetime) -> dict[str, Any]:
    return {
        "kind": message.kind,
        "idempotency_key": message.key,
        "order_id": message.order_id,
        "recipient": message.recipient,
        "payload": message.payload or {},
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": message.not_before or now,
        "created_at": now,
        "updated_at": now,
        "request_id": REQUEST_ID.get(),
    }


@dataclass(frozen=True)
class Lease:
    """Who claims, for how long, and when a message that keeps killing its worker is dead."""

    worker_id: str
    length: timedelta
    max_attempts: int


@dataclass(frozen=True)
class Backlog:
    """The messages due now: how many, and the due time of the oldest (None when none)."""

    due: int
    oldest_due_at: datetime | None


@dataclass(frozen=True)
class Trouble:
    """Messages failing for long: how many died since a time, and since when the oldest
    message still being retried has been tried (None when none is)."""

    dead: int
    oldest_retrying_since: datetime | None


class OutboxRepository:
    """Outbox messages: enqueue, claim with a lease, record results."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def enqueue(
        self,
        *,
        kind: str,
        key: str,
        recipient: str,
        now: datetime,
        payload: dict[str, Any] | None = None,
        order_id: int | None = None,
        not_before: datetime | None = None,
    ) -> int | None:
        """Add a message to send unless one with the same key exists (one per key, ever).

        It is due at `not_before` (a reminder for tomorrow), or at once when that is None.
        Written during a request, it keeps that request's id (see `cloudcity.logs`).
        Answers the new message's id, or None when the key was taken.
        """
        message = NewMessage(kind, key, recipient, payload, order_id, not_before)
        row = _row(message, now)
        return insert_ignore_id(self._session, OutboxMessage, row, unique=["idempotency_key"])

    def enqueue_all(self, messages: Sequence[NewMessage], *, now: datetime) -> None:
        """`enqueue` several messages in one statement (an order's receipt and its reminder)."""
        rows = [_row(message, now) for message in messages]
        insert_ignore(self._session, OutboxMessage, rows, unique=["idempotency_key"])

    def cancel_due(self, *, order_id: int, kind: str, reason: str, now: datetime) -> int:
        """Cancel an order's messages of one kind not sent yet nor being sent; answers how many.

        A message a worker holds right now is not touched here: the dispatcher checks the
        order again before it sends.
        """
        result = self._session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.order_id == order_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status.in_(DUE),
            )
            .values(status=CANCELLED, last_error=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return cast(sa.CursorResult[Any], result).rowcount

    def link_to_order(self, keys: list[str], *, order_id: int) -> None:
        """Name the order that the rows with these keys (made before it existed) belong to."""
        if keys:
            self._session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.idempotency_key.in_(keys), OutboxMessage.order_id.is_(None))
                .values(order_id=order_id)
                .execution_options(synchronize_session=False)
            )

    def count_keyed(self, *, order_id: int, prefix: str) -> int:
        """How many of an order's messages have an idempotency key starting with `prefix`."""
        query = (
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.order_id == order_id,
                OutboxMessage.idempotency_key.startswith(prefix),
            )
        )
        return self._session.scalar(query) or 0

    def backlog(self, *, now: datetime) -> Backlog:
        """How many messages are due to be sent now, and since when the oldest has waited."""
        due = _due_now(now)
        count, oldest = self._session.execute(
            sa.select(sa.func.count(), sa.func.min(OutboxMessage.next_attempt_at)).where(due)
        ).one()
        return Backlog(due=count, oldest_due_at=oldest)

    def trouble(self, *, dead_since: datetime) -> Trouble:
        """Messages that died since `dead_since`, and the first attempt of the oldest retried."""
        dead = self._session.scalar(
            sa.select(sa.func.count()).where(
                OutboxMessage.status == DEAD, OutboxMessage.updated_at >= dead_since
            )
        )
        oldest = self._session.scalar(
            sa.select(sa.func.min(OutboxMessage.first_attempt_at)).where(
                OutboxMessage.status.in_((RETRY, SENDING)), OutboxMessage.attempts > 0
            )
        )
        return Trouble(dead=dead or 0, oldest_retrying_since=oldest)

    def depth(self) -> dict[tuple[str, str], int]:
        """How many messages wait (neither sent nor cancelled), by kind and status."""
        query = (
            sa.select(OutboxMessage.kind, OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.status.not_in((SENT, CANCELLED)))
            .group_by(OutboxMessage.kind, OutboxMessage.status)
        )
        return {(kind, status): count for kind, status, count in self._session.execute(query)}

    def locked(self, message_id: int) -> OutboxMessage | None:
        """One message as a tracked row, locked and read fresh, to change it."""
        return self._session.get(
            OutboxMessage, message_id, with_for_update=True, populate_existing=True
        )

    def unsent(self, *, limit: int = 200) -> list[OutboxMessage]:
        """Messages not sent yet (waiting, being sent, failed or dead), oldest first."""
        query = (
            sa.select(OutboxMessage)
            .where(OutboxMessage.status.not_in((SENT, CANCELLED)))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list(self._session.scalars(query))

    def claim(self, *, lease: Lease, now: datetime, limit: int) -> list[Claimed]:
        """Lease up to `limit` due messages to this worker; no attempt counts until `begin`."""
        rows = self._session.scalars(claim_batch(_due(now, limit), self._session)).all()
        claimed = []
        for row in rows:
            if row.status == SENDING and row.attempts >= lease.max_attempts:
                _bury(row, now=now)
                continue
            if row.status == SENDING and row.sending_since is not None:
                row.last_error = f"worker {row.locked_by} stopped or hung mid-send; in doubt"
            row.status, row.locked_by = SENDING, lease.worker_id
            row.locked_until = now + lease.length
            row.updated_at = now
            claimed.append(_copy(row))
        self._session.flush()
        return claimed

    def begin(
        self,
        message: Claimed,
        *,
        worker_id: str,
        now: datetime,
        grace: timedelta = timedelta(0),
    ) -> Claimed | None:
        """Count an attempt as this message's send begins, and mark it in doubt until a result
        is written: should the worker die, a resend waits `grace` for a delivery report and
        then looks for the message first. None if the message is no longer this worker's."""
        attempts = self._session.scalar(
            _own(message.id, worker_id)
            .values(
                attempts=OutboxMessage.attempts + 1,
                sending_since=sa.func.coalesce(OutboxMessage.sending_since, now),
                first_attempt_at=sa.func.coalesce(OutboxMessage.first_attempt_at, now),
                next_attempt_at=now + grace,
                updated_at=now,
            )
            .returning(OutboxMessage.attempts)
        )
        return None if attempts is None else replace(message, attempts=attempts)

    def renew(self, ids: list[int], *, worker_id: str, until: datetime) -> int:
        """Extend this worker's lease on the messages it still holds; answers how many."""
        if not ids:
            return 0
        result = self._session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.locked_by == worker_id,
                OutboxMessage.status == SENDING,
            )
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )
        return cast(sa.CursorResult[Any], result).rowcount

    def record_sent(
        self, message: Claimed, *, worker_id: str, provider_id: str, now: datetime
    ) -> bool:
        """Mark a message sent; False when the lease was lost and another worker owns it now."""
        values = {"provider_message_id": provider_id, "sent_at": now, "last_error": None}
        return self._update_own(
            message, worker_id, status=SENT, updated_at=now, sending_since=None, **values
        )

    def record_failure(
        self,
        message: Claimed,
        *,
        worker_id: str,
        status: str,
        error: str,
        next_attempt_at: datetime | None,
        now: datetime,
        in_doubt: bool = False,
    ) -> bool:
        """Mark a failed send as retry, failed or dead; False when the lease was lost.

        `in_doubt`: the provider may have taken it all the same (a timeout), so a resend
        looks for it first."""
        values: dict[str, Any] = {"status": status, "last_error": error, "updated_at": now}
        if not in_doubt:
            values["sending_since"] = None
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        return self._update_own(message, worker_id, **values)

    def release(self, messages: list[Claimed], *, worker_id: str, now: datetime) -> None:
        """Hand back claimed messages this worker will not send (stopping, lease running out).

        A message in doubt stays in doubt: whoever sends it next looks for it first."""
        if not messages:
            return
        self._session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([m.id for m in messages]),
                OutboxMessage.locked_by == worker_id,
                OutboxMessage.status == SENDING,
            )
            .values(
                status=sa.case((OutboxMessage.attempts > 0, RETRY), else_=PENDING),
                locked_by=None,
                locked_until=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def _update_own(self, message: Claimed, worker_id: str, **values: Any) -> bool:
        result = self._session.execute(
            _own(message.id, worker_id)
            .values(locked_by=None, locked_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return cast(sa.CursorResult[Any], result).rowcount == 1


def _own(message_id: int, worker_id: str) -> sa.Update:
    """An UPDATE of one message, only while this worker holds it."""
    return sa.update(OutboxMessage).where(
        OutboxMessage.id == message_id,
        OutboxMessage.locked_by == worker_id,
        OutboxMessage.status == SENDING,
    )


def _due_now(now: datetime) -> sa.ColumnElement[bool]:
    # An abandoned send in doubt has next_attempt_at = its start + the grace period.
    abandoned = sa.and_(OutboxMessage.status == SENDING, OutboxMessage.locked_until <= now)
    return sa.and_(
        sa.or_(OutboxMessage.status.in_(DUE), abandoned), OutboxMessage.next_attempt_at <= now
    )


def _due(now: datetime, limit: int) -> sa.Select[Any]:
    return (
        sa.select(OutboxMessage)
        .where(_due_now(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )


def _bury(row: OutboxMessage, *, now: datetime) -> None:
    # sending_since stays: a late delivery report may still show the last attempt went out.
    row.status, row.locked_by, row.locked_until = DEAD, None, None
    row.last_error = (
        f"gave up after {row.attempts} attempts: the worker stopped or hung while sending each time"
    )
    row.updated_at = now


def _copy(row: OutboxMessage) -> Claimed:
    assert row.locked_until is not None
    return Claimed(
        id=row.id,
        kind=row.kind,
        idempotency_key=row.idempotency_key,
        recipient=row.recipient,
        payload=dict(row.payload),
        order_id=row.order_id,
        attempts=row.attempts,
        locked_until=row.locked_until,
        in_doubt_since=row.sending_since,
        request_id=row.request_id,
    )
