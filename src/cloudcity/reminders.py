"""Pickup reminders: one message the day before pickup, cancelled or moved with its order.

A reminder is an outbox row due at its time (`calendar.reminder.reminder_time`), keyed
`reminder:order:<id>:<n>`: the n-th reminder scheduled for the order, so a pickup moved
after its reminder went out is reminded again, and one moved back to an earlier time too.
Each row carries the pickup it announces; the dispatcher refuses, at send time, a row whose
order was cancelled, collected or moved since (see `outbox.dispatch`).
"""

from __future__ import annotations

from datetime import datetime

from cloudcity.calendar.reminder import reminder_time
from cloudcity.calendar.rules import CalendarRules
from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.outbox import NewMessage
from cloudcity.domain import OrderStatus
from cloudcity.outbox.queue import PICKUP_REMINDER

NOT_REMINDED = frozenset({OrderStatus.CANCELLED, OrderStatus.PICKED_UP})


def reminder_message(
    *,
    order_id: int,
    recipient: str,
    pickup_at: datetime,
    rules: CalendarRules,
    hour: int,
    now: datetime,
    number: int = 1,
) -> NewMessage | None:
    """The reminder of a pickup, due the day before at `hour`; None when there is no time."""
    due = reminder_time(pickup_at, rules=rules, hour=hour, now=now)
    if due is None:
        return None
    return NewMessage(
        kind=PICKUP_REMINDER,
        key=f"{_prefix(order_id)}{number}",
        recipient=recipient,
        payload={"pickup_at": pickup_at.isoformat()},
        order_id=order_id,
        not_before=due,
    )


def cancel_reminder(*, uow: UnitOfWork, order_id: int, reason: str, now: datetime) -> int:
    """Cancel an order's reminders still waiting to be sent; answers how many."""
    return uow.outbox.cancel_due(order_id=order_id, kind=PICKUP_REMINDER, reason=reason, now=now)


def reschedule_reminder(
    *,
    uow: UnitOfWork,
    order_id: int,
    pickup_at: datetime | None,
    rules: CalendarRules,
    now: datetime,
    hour: int,
) -> datetime | None:
    """Move an order's reminder to a new pickup (None: to arrange, no reminder); answers when.

    Call it in the unit of work that moves the order, with `hour=settings.reminder_hour`.
    """
    order = uow.orders.get(order_id)
    if order is None:
        raise LookupError(f"there is no order #{order_id}")
    cancel_reminder(uow=uow, order_id=order_id, reason="the pickup time changed", now=now)
    if pickup_at is None or order.status in NOT_REMINDED:
        return None
    number = uow.outbox.count_keyed(order_id=order_id, prefix=_prefix(order_id)) + 1
    message = reminder_message(
        order_id=order_id,
        recipient=order.customer.address,
        pickup_at=pickup_at,
        rules=rules,
        hour=hour,
        now=now,
        number=number,
    )
    if message is None:
        return None
    uow.outbox.enqueue_all([message], now=now)
    return message.not_before


def _prefix(order_id: int) -> str:
    return f"reminder:order:{order_id}:"
