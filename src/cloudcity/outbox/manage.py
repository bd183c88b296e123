"""What a person does with the outbox: see what is stuck, and send a failed message again."""

from __future__ import annotations

from datetime import datetime

from cloudcity.db import UnitOfWork
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.status import GAVE_UP, PENDING


class OutboxError(ValueError):
    """A request about an outbox message that cannot be done; the message says why."""


def retry_message(*, uow: UnitOfWork, message_id: int, now: datetime) -> OutboxMessage:
    """Put a failed or dead message back in the queue, due now, with its attempts reset."""
    message = uow.outbox.locked(message_id)  # two bakers: one at a time
    if message is None:
        raise OutboxError(f"there is no outbox message {message_id}")
    if message.status not in GAVE_UP:
        raise OutboxError(
            f"outbox message {message_id} is {message.status}; only failed or dead messages "
            "can be retried"
        )
    message.status, message.attempts, message.next_attempt_at = PENDING, 0, now
    message.locked_by = message.locked_until = None
    message.first_attempt_at = None  # a fresh start: not "failing for hours" at once
    message.updated_at = now
    return message
