"""Old rows that may go: chat transcripts, delivery events, and the payloads of sent messages.

Each method handles at most `limit` rows, oldest ids first, so a prune is many short
transactions that never hold the writer (SQLite) or many row locks (PostgreSQL) for long.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import ChatMessage, Conversation, DeliveryEvent, OutboxMessage
from cloudcity.outbox.status import CANCELLED, SENT


class RetentionRepository:
    """Bounded deletes and clears of rows older than a cutoff; orders are never touched."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def delete_chat_before(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to `limit` transcript lines written before `cutoff`."""
        oldest = _ids(ChatMessage.id, ChatMessage.created_at < cutoff, limit)
        return self._count(sa.delete(ChatMessage).where(ChatMessage.id.in_(oldest)))

    def delete_conversations_idle_since(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to `limit` conversations (chat state) untouched since `cutoff`."""
        oldest = _ids(Conversation.id, Conversation.updated_at < cutoff, limit)
        return self._count(sa.delete(Conversation).where(Conversation.id.in_(oldest)))

    def delete_delivery_events_before(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to `limit` provider reports received before `cutoff`."""
        oldest = _ids(DeliveryEvent.id, DeliveryEvent.at < cutoff, limit)
        return self._count(sa.delete(DeliveryEvent).where(DeliveryEvent.id.in_(oldest)))

    def clear_sent_payloads_before(self, cutoff: datetime, *, limit: int) -> int:
        """Empty the payload of up to `limit` messages sent or cancelled before `cutoff`.

        The row stays: it is the order's record of what was sent, when, and to whom.
        """
        old = sa.and_(
            OutboxMessage.status.in_((SENT, CANCELLED)),
            OutboxMessage.updated_at < cutoff,
            sa.cast(OutboxMessage.payload, sa.Text) != "{}",
        )
        oldest = _ids(OutboxMessage.id, old, limit)
        return self._count(
            sa.update(OutboxMessage).where(OutboxMessage.id.in_(oldest)).values(payload={})
        )

    def _count(self, statement: sa.Executable) -> int:
        result = self._session.execute(statement.execution_options(synchronize_session=False))
        return cast(sa.CursorResult[Any], result).rowcount


def _ids(
    column: orm.InstrumentedAttribute[int], where: sa.ColumnElement[bool], limit: int
) -> sa.ScalarSelect[int]:
    return sa.select(column).where(where).order_by(column).limit(limit).scalar_subquery()
