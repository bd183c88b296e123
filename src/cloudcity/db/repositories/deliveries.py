"""Delivery events from providers, stored once each, and the outbox row they speak about."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.bulk import insert_new
from cloudcity.db.dialect import insert_ignore, lock_for_update
from cloudcity.db.models import DeliveryEvent, OutboxMessage

IN_CHUNK = 500  # values per IN (...) list: far below SQLite's bound-parameter limit


class DeliveryRepository:
    """Provider reports (Twilio status callbacks, SendGrid events)."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def seen(self, event_key: str) -> bool:
        """True when an event with this key was stored before."""
        query = sa.select(DeliveryEvent.id).where(DeliveryEvent.event_key == event_key)
        return self._session.scalar(query) is not None

    def add(self, event: DeliveryEvent) -> None:
        """Store an event unless one with its key exists (race-free)."""
        columns = [c.key for c in sa.inspect(DeliveryEvent).column_attrs if c.key != "id"]
        row = {name: getattr(event, name) for name in columns}
        insert_ignore(self._session, DeliveryEvent, row, unique=["event_key"])

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

    def locked_message(
        self, *, outbox_id: int | None, provider_ids: list[str], email_of_order: int | None
    ) -> OutboxMessage | None:
        """The outbox message an event names (by our id, the provider's, or an order's email),
        locked and read fresh so two concurrent callbacks cannot both read the old status."""
        for query in _candidates(outbox_id, provider_ids, email_of_order):
            locked = lock_for_update(query, self._session)
            found: OutboxMessage | None = self._session.scalar(
                locked.execution_options(populate_existing=True)
            )
            if found is not None:
                return found
        return None


def _candidates(
    outbox_id: int | None, provider_ids: list[str], email_of_order: int | None
) -> list[sa.Select[OutboxMessage]]:
    newest = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)
    queries = []
    if outbox_id is not None:
        queries.append(newest.where(OutboxMessage.id == outbox_id))
    if provider_ids:
        queries.append(newest.where(OutboxMessage.provider_message_id.in_(provider_ids)))
    if email_of_order is not None:
        emails = sa.and_(
            OutboxMessage.order_id == email_of_order, OutboxMessage.kind.endswith("_email")
        )
        queries.append(newest.where(emails))
    return queries


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
