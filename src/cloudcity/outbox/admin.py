"""What the bakers see of the outbox: messages by status, page by page, and a manual retry."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.models import OutboxMessage

STATUSES = ("pending", "sent", "failed", "dead")
RETRYABLE = frozenset({"failed", "dead"})


class RetryError(ValueError):
    """A message that can't be retried, with the reason for the baker."""


@dataclass(frozen=True)
class MessagePage:
    """One page of outbox messages, newest first."""

    messages: list[OutboxMessage]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def count_by_status(session: orm.Session) -> dict[str, int]:
    """How many messages are in each status, every known status present."""
    rows = session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({row[0]: row[1] for row in rows})
    return counts


def list_messages(
    session: orm.Session, *, status: str, page: int = 1, per_page: int = 50
) -> MessagePage:
    """The messages in one status, newest first, one page of them."""
    page = max(1, page)
    where = OutboxMessage.status == status
    total = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(where))
    messages = session.scalars(
        sa.select(OutboxMessage)
        .where(where)
        .order_by(OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return MessagePage(list(messages), page, per_page, total or 0)


def retry_message(*, session: orm.Session, outbox_id: int) -> OutboxMessage:
    """Put a failed or dead message back in the queue now; its attempts so far are kept."""
    message = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if message is None:
        raise RetryError(f"message {outbox_id} does not exist")
    if message.status not in RETRYABLE:
        raise RetryError(
            f"message {outbox_id} is {message.status}; only failed or dead ones can be retried"
        )
    message.status = "pending"
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.locked_by = None
    session.flush()
    return message
