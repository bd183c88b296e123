"""Enqueue a message in the caller's transaction; one row per idempotency key, ever."""

from __future__ import annotations

from typing import Any

from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.dialect import insert_ignore
from cloudcity.db.models import OutboxMessage

RECEIPT_EMAIL = "receipt_email"
READY_MESSAGE = "ready_message"
CANCEL_MESSAGE = "cancel_message"


def enqueue(
    session: orm.Session,
    *,
    kind: str,
    key: str,
    recipient: str,
    payload: dict[str, Any] | None = None,
    order_id: int | None = None,
) -> None:
    """Add a message to send unless one with the same key exists; never commits."""
    now = utcnow()
    insert_ignore(
        session,
        OutboxMessage,
        {
            "kind": kind,
            "idempotency_key": key,
            "order_id": order_id,
            "recipient": recipient,
            "payload": payload or {},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        },
        unique=["idempotency_key"],
    )
