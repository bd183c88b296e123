"""The deliveries page: outbox messages by status, and retrying failed or dead ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.admin import RetryError, count_by_status, list_messages, retry_message

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def add_message(
    session: orm.Session,
    *,
    status: str,
    key: str,
    attempts: int = 0,
    last_error: str | None = None,
) -> OutboxMessage:
    """An outbox row in a given state."""
    message = OutboxMessage(
        kind="ready_message",
        idempotency_key=key,
        recipient="whatsapp:+15555550100",
        payload={},
        status=status,
        attempts=attempts,
        last_error=last_error,
        next_attempt_at=LONG_AGO + timedelta(days=30),
        locked_until=LONG_AGO if status == "failed" else None,
        locked_by="worker-1" if status == "failed" else None,
    )
    session.add(message)
    session.flush()
    return message


def test_retry_puts_a_dead_message_back_in_the_queue(session: orm.Session) -> None:
    dead = add_message(session, status="dead", key="k1", attempts=8, last_error="HTTP 400")
    before = utcnow()
    retry_message(session=session, outbox_id=dead.id)
    assert dead.status == "pending"
    assert dead.attempts == 8
    assert before <= dead.next_attempt_at <= utcnow()
    assert dead.locked_until is None


def test_retry_unlocks_a_failed_message(session: orm.Session) -> None:
    failed = add_message(session, status="failed", key="k1", attempts=2, last_error="timeout")
    retry_message(session=session, outbox_id=failed.id)
    assert (failed.status, failed.attempts, failed.locked_by) == ("pending", 2, None)


@pytest.mark.parametrize("status", ["pending", "sent"])
def test_only_failed_or_dead_messages_can_be_retried(session: orm.Session, status: str) -> None:
    message = add_message(session, status=status, key="k1")
    with pytest.raises(RetryError, match="only failed or dead"):
        retry_message(session=session, outbox_id=message.id)
    assert message.status == status


def test_retrying_a_missing_message_is_refused(session: orm.Session) -> None:
    with pytest.raises(RetryError, match="does not exist"):
        retry_message(session=session, outbox_id=424242)


def test_messages_by_status_newest_first_in_pages(session: orm.Session) -> None:
    for n in range(5):
        add_message(session, status="sent", key=f"sent-{n}")
    add_message(session, status="dead", key="dead-0")
    page = list_messages(session, status="sent", page=2, per_page=2)
    assert [m.idempotency_key for m in page.messages] == ["sent-2", "sent-1"]
    assert (page.total, page.pages) == (5, 3)
    assert count_by_status(session) == {"pending": 0, "sent": 5, "failed": 0, "dead": 1}
