"""Messages due later (`not_before`), and cancelling an order's waiting messages of one kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cloudcity.db import Database
from cloudcity.db.models import OutboxMessage
from cloudcity.db.repositories.outbox import Lease
from cloudcity.outbox.queue import PICKUP_REMINDER, READY_MESSAGE
from tests.support.outbox import place, rows

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)  # after the receipt placed with the real clock
LATER = NOW + timedelta(hours=20)
LEASE = Lease("w1", timedelta(days=2), max_attempts=8)  # no reclaims in these tests


def enqueue(database: Database, order_id: int, *, key: str, kind: str = PICKUP_REMINDER) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.enqueue(
            kind=kind,
            key=key,
            recipient="+14155550100",
            now=NOW,
            order_id=order_id,
            not_before=LATER,
        )


def claimed_keys(database: Database, now: datetime) -> list[str]:
    with database.unit_of_work() as uow:
        return [m.idempotency_key for m in uow.outbox.claim(lease=LEASE, now=now, limit=10)]


def test_a_message_is_not_claimed_before_its_time(database: Database) -> None:
    order_id = place(database)
    enqueue(database, order_id, key="later")
    assert claimed_keys(database, NOW) == [f"receipt:order:{order_id}"]
    assert claimed_keys(database, LATER - timedelta(seconds=1)) == []
    assert claimed_keys(database, LATER) == ["later"]


def test_cancelling_touches_only_waiting_messages_of_that_kind_and_order(
    database: Database,
) -> None:
    order_id, other = place(database), place(database, number="+14155550111")
    for key, status in [("p", "pending"), ("r", "retry"), ("s", "sending"), ("d", "sent")]:
        enqueue(database, order_id, key=key)
        with database.unit_of_work() as uow:
            uow.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.idempotency_key == key)
                .values(status=status)
            )
    enqueue(database, order_id, key="ready", kind=READY_MESSAGE)
    enqueue(database, other, key="other")
    with database.unit_of_work() as uow:
        count = uow.outbox.cancel_due(
            order_id=order_id, kind=PICKUP_REMINDER, reason="the order was cancelled", now=NOW
        )
    assert count == 2
    statuses = {row.idempotency_key: (row.status, row.last_error) for row in rows(database)}
    assert statuses["p"] == statuses["r"] == ("cancelled", "the order was cancelled")
    assert [statuses[key][0] for key in ("s", "d", "ready", "other")] == [
        "sending",
        "sent",
        "pending",
        "pending",
    ]
    with database.reading() as reading:
        assert {m.idempotency_key for m in reading.outbox.unsent()}.isdisjoint({"p", "r", "d"})
