"""Claim due messages with a lease, and record each result only while the lease is ours.

A claim is one short transaction: PostgreSQL skips rows another worker has locked
(FOR UPDATE SKIP LOCKED); SQLite's IMMEDIATE transactions let one writer claim at a time.
Results are written with `locked_by = me`, so a worker whose lease expired (and whose
message another worker reclaimed) cannot overwrite the newer result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.dialect import claim_batch
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.status import DEAD, DUE, PENDING, RETRY, SENDING, SENT


@dataclass(frozen=True)
class Claimed:
    """A message leased to one worker: a plain copy, usable after the claim's session closed."""

    id: int
    kind: str
    idempotency_key: str
    recipient: str
    payload: dict[str, Any]
    order_id: int | None
    attempts: int
    locked_until: datetime


def claim(
    session: orm.Session,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    max_attempts: int,
) -> list[Claimed]:
    """Lease up to `limit` due messages to this worker; the caller commits at once."""
    rows = session.scalars(claim_batch(_due(now, limit), session)).all()
    claimed = []
    for row in rows:
        if row.status == SENDING and row.attempts >= max_attempts:
            _bury(row, now=now)
            continue
        if row.status == SENDING:
            row.last_error = f"worker {row.locked_by} stopped or hung mid-send; sending again"
        row.status, row.locked_by, row.locked_until = SENDING, worker_id, now + lease
        row.attempts += 1
        row.updated_at = now
        claimed.append(_copy(row))
    session.flush()
    return claimed


def _due(now: datetime, limit: int) -> sa.Select[Any]:
    waiting = sa.and_(OutboxMessage.status.in_(DUE), OutboxMessage.next_attempt_at <= now)
    abandoned = sa.and_(OutboxMessage.status == SENDING, OutboxMessage.locked_until <= now)
    return (
        sa.select(OutboxMessage)
        .where(sa.or_(waiting, abandoned))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )


def _bury(row: OutboxMessage, *, now: datetime) -> None:
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
    )


def record_sent(
    session: orm.Session, *, message: Claimed, worker_id: str, provider_id: str, now: datetime
) -> bool:
    """Mark a message sent; False when the lease was lost and another worker owns it now."""
    return _update_own(
        session,
        message,
        worker_id,
        status=SENT,
        provider_message_id=provider_id,
        sent_at=now,
        last_error=None,
        updated_at=now,
    )


def record_failure(
    session: orm.Session,
    *,
    message: Claimed,
    worker_id: str,
    status: str,
    error: str,
    next_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Mark a failed send as retry, failed or dead; False when the lease was lost."""
    values: dict[str, Any] = {"status": status, "last_error": error, "updated_at": now}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    return _update_own(session, message, worker_id, **values)


def release(
    session: orm.Session, *, messages: list[Claimed], worker_id: str, now: datetime
) -> None:
    """Hand back claimed messages this worker will not send (shutting down, lease running out)."""
    if not messages:
        return
    session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([m.id for m in messages]),
            OutboxMessage.locked_by == worker_id,
            OutboxMessage.status == SENDING,
        )
        .values(
            status=sa.case((OutboxMessage.attempts > 1, RETRY), else_=PENDING),
            attempts=OutboxMessage.attempts - 1,
            locked_by=None,
            locked_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def _update_own(session: orm.Session, message: Claimed, worker_id: str, **values: Any) -> bool:
    result = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.locked_by == worker_id,
            OutboxMessage.status == SENDING,
        )
        .values(locked_by=None, locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return cast(sa.CursorResult[Any], result).rowcount == 1
