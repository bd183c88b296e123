"""`cloudcity prune` and the worker's daily prune: old personal data goes, orders stay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cloudcity.cli import main
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import (
    ChatMessage,
    Conversation,
    DeliveryEvent,
    Order,
    OrderEvent,
    OutboxMessage,
)
from tests.support.clock import FakeClock
from tests.support.outbox import fake_worker, place

LONG_AGO = timedelta(days=800)
ADDRESS = "whatsapp:+14155550100"


def _chat(database: Database, *, at: datetime, count: int = 1, body: str = "old") -> None:
    with database.unit_of_work() as uow:
        for _ in range(count):
            uow.session.add(ChatMessage(address=ADDRESS, direction="in", body=body, created_at=at))


def _arrange(database: Database) -> int:
    """An order with a receipt sent long ago, old and new chat and events; the order id."""
    order_id = place(database)
    now = utcnow()
    _chat(database, at=now - LONG_AGO, count=5)
    _chat(database, at=now, body="recent")
    with database.unit_of_work() as uow:
        session = uow.session
        session.add(Conversation(address="whatsapp:+14155550199", updated_at=now - LONG_AGO))
        for key, at in (("old", now - LONG_AGO), ("new", now)):
            session.add(DeliveryEvent(provider="twilio", event_key=key, event="delivered", at=at))
        receipt = session.scalars(sa.select(OutboxMessage)).one()
        receipt.status, receipt.updated_at = "sent", now - LONG_AGO
        receipt.payload = {"note": "what was sent"}
    return order_id


def _snapshot(database: Database) -> list[tuple[object, ...]]:
    with database.sessions() as session:
        orders = session.execute(
            sa.select(Order.id, Order.price_cents, Order.status, Order.customer_id)
        ).all()
        events = session.scalar(sa.select(sa.func.count()).select_from(OrderEvent))
        outbox = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    return [*map(tuple, orders), ("events", events), ("outbox", outbox)]


def _bodies(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(sa.select(ChatMessage.body)))


def test_prune_removes_old_personal_data_and_leaves_orders_intact(
    runner: CliRunner, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _arrange(database)
    orders_before = _snapshot(database)
    monkeypatch.setenv("CLOUDCITY_PRUNE_BATCH_SIZE", "2")  # five old lines: three batches
    result = runner.invoke(main, ["prune"])
    assert result.exit_code == 0, result.output
    assert "5 chat messages" in result.output
    assert _bodies(database) == ["recent"]
    assert _snapshot(database) == orders_before
    with database.sessions() as session:
        assert session.scalars(sa.select(DeliveryEvent.event_key)).all() == ["new"]
        assert session.scalars(sa.select(Conversation.address)).all() == []
        receipt = session.scalars(sa.select(OutboxMessage)).one()
    assert receipt.payload == {}
    assert receipt.status == "sent"
    again = runner.invoke(main, ["prune"])
    assert "0 sent payloads" in again.output


def test_young_rows_stay(runner: CliRunner, database: Database) -> None:
    place(database)
    _chat(database, at=utcnow() - timedelta(days=30))
    assert runner.invoke(main, ["prune"]).exit_code == 0
    assert _bodies(database) == ["old"]


def test_the_worker_prunes_once_a_day_when_asked(database: Database, settings: Settings) -> None:
    daily = settings.model_copy(update={"prune_daily": True})
    clock = FakeClock(utcnow())
    worker = fake_worker(database, daily, clock=clock)
    _chat(database, at=utcnow() - LONG_AGO)
    worker.run_once()
    assert _bodies(database) == []
    _chat(database, at=utcnow() - LONG_AGO)
    clock.advance(hours=23)
    worker.run_once()
    assert _bodies(database) == ["old"]  # not yet a day since the last prune
    clock.advance(hours=2)
    worker.run_once()
    assert _bodies(database) == []


def test_the_worker_does_not_prune_unless_asked(database: Database, settings: Settings) -> None:
    _chat(database, at=utcnow() - LONG_AGO)
    fake_worker(database, settings).run_once()
    assert _bodies(database) == ["old"]
