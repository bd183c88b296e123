"""Delivery events from providers, stored once each, and the outbox row they speak about."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.bulk import insert_new
from cloudcity.db.dialect import lock_for_update
from cloudcity.db.models import DeliveryEvent, OutboxMessage

IN_CHUNK = 500  # values per IN (...) list: far below SQLite's bound-parameter limit


class DeliveryRepository:
    """Provider reports (Twilio status callbacks, SendGrid events)."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def add_new(self, rows: list[dict[str, Any]]) -> set[str]:
        """Store a batch of events in one statement, skipping known keys; the new keys."""
        return insert_new(self._session, DeliveryEvent, rows, unique="event_key")

    def locked_messages(
        self, *, outbox_ids: set[int], provider_ids: set[str], email_of_orders: set[int]
    ) -> list[OutboxMessage]:
        """The outbox messages a batch names, locked and read fresh, newest first."""
        found: dict[int, OutboxMessage] = {}
        for column, values, extra in (
            (OutboxMessage.id, outbox_ids, sa.true()),
            (OutboxMessage.provider_message_id, provider_ids, sa.true()),
            (OutboxMessage.order_id, email_of_orders, OutboxMessage.kind.endswith("_email")),
        ):
            for chunk in _chunks(sorted(values)):
                query = sa.select(OutboxMessage).where(column.in_(chunk), extra)
                locked = lock_for_update(query.order_by(OutboxMessage.id), self._session)
                for row in self._session.scalars(locked.execution_options(populate_existing=True)):
                    found[row.id] = row
        return sorted(found.values(), key=lambda row: row.id, reverse=True)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
