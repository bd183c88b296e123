"""What the bakers see of the outbox: messages by status, page by page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.status import (
    CANCELLED,
    DEAD,
    FAILED,
    GAVE_UP,
    PENDING,
    RETRY,
    SENDING,
    SENT,
)

# Every state a message can be in: one waiting for its next try after a transient error
# (`retry`) is what a baker most needs to see while a provider is down. `cancelled` holds
# reminders of orders cancelled or moved: never sent, kept to show why.
STATUSES = (PENDING, SENDING, RETRY, SENT, FAILED, DEAD, CANCELLED)
RETRYABLE = frozenset(GAVE_UP)
WITH_ERRORS = frozenset({RETRY, FAILED, DEAD, CANCELLED})


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
    where = OutboxMessage.status == status
    total = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(where)) or 0
    page = max(1, min(page, -(-total // per_page)))  # past the end: the last page
    messages = session.scalars(
        sa.select(OutboxMessage)
        .where(where)
        .order_by(OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return MessagePage(list(messages), page, per_page, total)
