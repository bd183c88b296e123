"""Undoing "ready" keeps its message from leaving; a cancellation goes by text and by email."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from cloudcity import fulfilment
from cloudcity.db import Database
from cloudcity.outbox.queue import CANCEL_EMAIL, CANCEL_MESSAGE, READY_MESSAGE
from cloudcity.outbox.worker import Worker
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender
from tests.support.outbox import only, place, rows

WINDOW = timedelta(seconds=10)


def ready(database: Database, order_id: int, clock: FakeClock) -> None:
    with database.unit_of_work() as uow:
        fulfilment.mark_ready(
            uow=uow, order_id=order_id, actor="baker", now=clock(), undo_for=WINDOW
        )


def undo(database: Database, order_id: int, clock: FakeClock) -> None:
    with database.unit_of_work() as uow:
        fulfilment.undo(uow=uow, order_id=order_id, actor="baker", now=clock(), window=WINDOW)


def test_undone_within_the_window_never_leaves(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")
    ready(database, order_id, clock)
    clock.advance(9)
    make_worker().run_once()
    assert fake_messages.sent == []
    undo(database, order_id, clock)
    clock.advance(60)
    make_worker().run_once()
    assert fake_messages.sent == []
    assert only(database, READY_MESSAGE).status == "cancelled"


def test_leaves_once_after_the_window_and_undo_is_gone(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")
    ready(database, order_id, clock)
    clock.advance(10)
    make_worker().run_once()
    make_worker().run_once()
    assert len(fake_messages.sent) == 1
    with pytest.raises(fulfilment.TransitionError, match="nothing left to undo"):
        undo(database, order_id, clock)


def test_ready_again_after_an_undo_is_sent(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100")
    ready(database, order_id, clock)
    undo(database, order_id, clock)
    ready(database, order_id, clock)
    clock.advance(11)
    make_worker().run_once()
    assert len(fake_messages.sent) == 1
    assert [row.status for row in rows(database, READY_MESSAGE)] == ["cancelled", "sent"]


def test_cancel_is_a_sentence_by_text_and_by_email(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    fake_email: FakeEmailSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100", email="ana@example.com")
    with database.unit_of_work() as uow:
        fulfilment.cancel_order(
            uow=uow,
            order_id=order_id,
            actor="baker",
            reason="sorry, we are out of lemons",
            now=clock(),
        )
    assert only(database, CANCEL_MESSAGE).recipient == "+14155550100"
    assert only(database, CANCEL_EMAIL).recipient == "ana@example.com"
    make_worker().run_once()
    [text] = fake_messages.sent
    assert (
        f"your cake order #{order_id} has been cancelled. Reason: Sorry, we are out of lemons. "
        in (text.body or "")
    )
    [email] = [e for e in fake_email.sent if "cancelled" in e.subject]
    assert email.subject == f"Your Cloud City cake order #{order_id} has been cancelled"
    assert "Reason: Sorry, we are out of lemons." in email.text.replace("**", "")
    assert email.custom_args["order_id"] == str(order_id) and "outbox_id" in email.custom_args
