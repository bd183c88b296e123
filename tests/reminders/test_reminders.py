"""Pickup reminders through the real use cases and the worker: due the day before, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from cloudcity.db import Database
from cloudcity.fulfilment import cancel_order, mark_picked_up, mark_ready
from cloudcity.outbox.queue import PICKUP_REMINDER
from cloudcity.outbox.worker import Worker
from cloudcity.reminders import reschedule_reminder
from tests.reminders.conftest import SMS, open_every_day, place_for, use_calendar
from tests.support.clock import FakeClock
from tests.support.fakes import FakeMessageSender
from tests.support.outbox import rows

# Los Angeles springs forward on Sunday 8 March 2026. Ordered on Wednesday 4 March, 10:00 PST
# for Monday 9 March, 10:00 PDT: reminded on Sunday 8 March at 10:00 PDT, 17:00 UTC.
ORDERED = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
MONDAY_10AM = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
SUNDAY_10AM = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
REMINDER = (
    "Hi Ana, a reminder: your cake (order #{id}) will be waiting for you tomorrow, "
    "Monday 9 Mar, 10:00\u201310:30, at 1 Cloud Lane, Bespin, CA 94000. Can't make it? "
    "Reply here or call us on +14155550123. — Cloud City Cake Company"
)


@pytest.fixture(autouse=True)
def los_angeles(database: Database) -> None:
    """The shop in Los Angeles, open every day 9:00-17:00."""
    use_calendar(database, open_every_day("America/Los_Angeles"), now=ORDERED)


def reminders(database: Database) -> list[tuple[str, str, datetime]]:
    """Every reminder row as (key, status, due)."""
    return [
        (row.idempotency_key, row.status, row.next_attempt_at)
        for row in rows(database, PICKUP_REMINDER)
    ]


def texts(fake_messages: FakeMessageSender) -> list[str]:
    return [message.body or "" for message in fake_messages.sent]


def test_an_order_with_a_pickup_is_reminded_the_day_before_across_the_clock_change(
    database: Database,
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    assert reminders(database) == [(f"reminder:order:{order_id}:1", "pending", SUNDAY_10AM)]
    [row] = rows(database, PICKUP_REMINDER)
    assert (row.recipient, row.order_id) == (SMS, order_id)
    assert row.payload == {"pickup_at": "2026-03-09T17:00:00+00:00"}


def test_the_configured_hour_is_used(database: Database) -> None:
    place_for(database, pickup_at=MONDAY_10AM, now=ORDERED, hour=18)
    [(_, _, due)] = reminders(database)
    assert due == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # Sunday 18:00 PDT


def test_a_shop_far_from_utc_is_reminded_on_its_own_day(database: Database) -> None:
    use_calendar(database, open_every_day("Pacific/Auckland"), now=ORDERED)
    ordered = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)  # Monday 2 March, 10:00 NZDT
    friday_2pm = datetime(2026, 3, 6, 1, 0, tzinfo=UTC)  # Friday 6 March, 14:00 NZDT
    place_for(database, pickup_at=friday_2pm, now=ordered)
    [(_, _, due)] = reminders(database)
    assert due == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)  # Thursday 5 March, 10:00 NZDT


def test_an_order_without_a_pickup_time_gets_no_reminder(database: Database) -> None:
    place_for(database, pickup_at=None, now=ORDERED)
    assert reminders(database) == []


def test_a_replayed_order_schedules_one_reminder(database: Database) -> None:
    first = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED, key="k-1")
    again = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED, key="k-1")
    assert first == again
    assert len(reminders(database)) == 1


def test_the_worker_sends_it_at_its_time_and_only_once(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    clock = FakeClock(SUNDAY_10AM - timedelta(seconds=1))
    worker = make_worker(clock)
    worker.run_once()  # the receipt goes; the reminder waits
    assert texts(fake_messages) == []
    clock.advance(1)
    assert worker.run_once() == 1
    assert texts(fake_messages) == [REMINDER.format(id=order_id)]
    assert fake_messages.sent[0].to == SMS
    clock.advance(hours=1)
    assert worker.run_once() == 0
    assert len(fake_messages.sent) == 1
    assert reminders(database)[0][1] == "sent"


def test_a_ready_order_is_still_reminded(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    with database.unit_of_work() as uow:
        mark_ready(uow=uow, order_id=order_id, actor="baker", now=ORDERED)
    make_worker(FakeClock(SUNDAY_10AM)).run_once()
    assert REMINDER.format(id=order_id) in texts(fake_messages)


def test_a_cancelled_order_is_never_reminded(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    with database.unit_of_work() as uow:
        cancel_order(uow=uow, order_id=order_id, actor="baker", reason="no eggs", now=ORDERED)
    [(_, status, _)] = reminders(database)
    assert status == "cancelled"
    make_worker(FakeClock(SUNDAY_10AM + timedelta(days=1))).run_once()
    assert [message.body for message in fake_messages.sent] == [
        f"Hi Ana, your cake order #{order_id} for Monday 9 Mar, 10:00\u201310:30 "
        "has been cancelled. Reason: No eggs. We're sorry. If you have any questions, reply "
        "here or call us on +14155550123. — Cloud City Cake Company"
    ]
    [row] = rows(database, PICKUP_REMINDER)
    assert (row.status, row.last_error, row.attempts) == ("cancelled", "the order was cancelled", 0)


def test_the_worker_checks_the_order_again_before_it_sends(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    with database.unit_of_work() as uow:  # picked up early: the row is still waiting
        mark_ready(uow=uow, order_id=order_id, actor="baker", now=ORDERED)
        mark_picked_up(uow=uow, order_id=order_id, actor="baker", now=ORDERED)
    make_worker(FakeClock(SUNDAY_10AM)).run_once()
    assert not any("a reminder" in text for text in texts(fake_messages))
    [row] = rows(database, PICKUP_REMINDER)
    assert (row.status, row.last_error) == ("cancelled", f"order #{order_id} was already picked up")


def test_a_pickup_moved_without_its_reminder_is_not_announced(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    with database.unit_of_work() as uow:
        order = uow.orders.locked(order_id)
        assert order is not None
        order.pickup_at = MONDAY_10AM + timedelta(days=1)
    make_worker(FakeClock(SUNDAY_10AM)).run_once()
    assert not any("a reminder" in text for text in texts(fake_messages))
    [row] = rows(database, PICKUP_REMINDER)
    assert row.status == "cancelled"
    assert "pickup time changed" in (row.last_error or "")


def move(database: Database, order_id: int, pickup_at: datetime | None, now: datetime) -> None:
    """What the baker's reschedule does to the reminder: move the order, then its reminder."""
    with database.unit_of_work() as uow:
        order = uow.orders.locked(order_id)
        assert order is not None
        order.pickup_at = pickup_at
        rules = open_every_day("America/Los_Angeles")
        reschedule_reminder(
            uow=uow, order_id=order_id, pickup_at=pickup_at, rules=rules, now=now, hour=10
        )


def test_a_rescheduled_order_is_reminded_of_its_new_time_only(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    wednesday_3pm = datetime(2026, 3, 11, 22, 0, tzinfo=UTC)
    move(database, order_id, wednesday_3pm, now=ORDERED + timedelta(hours=1))
    tuesday_10am = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert reminders(database) == [
        (f"reminder:order:{order_id}:1", "cancelled", SUNDAY_10AM),
        (f"reminder:order:{order_id}:2", "pending", tuesday_10am),
    ]
    clock = FakeClock(SUNDAY_10AM)
    worker = make_worker(clock)
    worker.run_once()
    assert texts(fake_messages) == []
    clock.now = tuesday_10am
    worker.run_once()
    assert texts(fake_messages) == [
        REMINDER.format(id=order_id).replace(
            "Monday 9 Mar, 10:00\u201310:30", "Wednesday 11 Mar, 15:00\u201315:30"
        )
    ]


def test_a_pickup_moved_after_its_reminder_is_reminded_again(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    make_worker(FakeClock(SUNDAY_10AM)).run_once()
    next_monday = MONDAY_10AM + timedelta(days=7)
    move(database, order_id, next_monday, now=SUNDAY_10AM + timedelta(hours=1))
    assert [(key[-1], status) for key, status, _ in reminders(database)] == [
        ("1", "sent"),
        ("2", "pending"),
    ]
    assert reminders(database)[1][2] == SUNDAY_10AM + timedelta(days=7)


def test_moved_to_tomorrow_afternoon_it_is_reminded_at_once(database: Database) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    now = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)  # Thursday 14:00 PST, past Thursday's 10:00
    move(database, order_id, datetime(2026, 3, 6, 17, 0, tzinfo=UTC), now=now)  # Friday 9:00
    assert reminders(database)[-1][1:] == ("pending", now)


def test_moved_to_within_hours_or_to_arrange_it_is_not_reminded(database: Database) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    now = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # Friday 9:00 PST
    move(database, order_id, now + timedelta(hours=3), now=now)
    assert [status for _, status, _ in reminders(database)] == ["cancelled"]
    move(database, order_id, None, now=now)
    assert [status for _, status, _ in reminders(database)] == ["cancelled"]


def test_rescheduling_an_unknown_order_says_so(database: Database) -> None:
    with database.unit_of_work() as uow, pytest.raises(LookupError, match="no order #404"):
        reschedule_reminder(
            uow=uow,
            order_id=404,
            pickup_at=MONDAY_10AM,
            rules=open_every_day("America/Los_Angeles"),
            now=ORDERED,
            hour=10,
        )


def test_the_ready_message_names_the_pickup_slot(
    database: Database, make_worker: Callable[..., Worker], fake_messages: FakeMessageSender
) -> None:
    order_id = place_for(database, pickup_at=MONDAY_10AM, now=ORDERED)
    with database.unit_of_work() as uow:
        mark_ready(uow=uow, order_id=order_id, actor="baker", now=ORDERED)
    make_worker(FakeClock(ORDERED)).run_once()
    assert texts(fake_messages) == [
        f"Hi Ana, your cake (order #{order_id}) is ready for pickup at 1 Cloud Lane, Bespin, "
        "CA 94000 (Monday 9 Mar, 10:00\u201310:30). See you soon! — Cloud City Cake Company"
    ]
