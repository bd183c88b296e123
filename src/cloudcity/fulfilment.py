"""What bakers do to an order: mark it ready, hand it over, cancel it, move its pickup, resend.

Each action locks the order row, checks the move is allowed, records who did it and enqueues
the customer's message, all in the caller's transaction. Repeating the state an order is
already in changes nothing and sends nothing, so two bakers clicking at once send one message.
"Ready" and "picked up" can be undone for a short window; the ready message waits out that
window in the outbox (its not-before time), so an undone one never leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cloudcity.calendar.display import day_label, slot_label
from cloudcity.calendar.slots import Slot, as_utc
from cloudcity.db import UnitOfWork
from cloudcity.db.models import Order
from cloudcity.domain import OrderStatus
from cloudcity.outbox.queue import (
    CANCEL_EMAIL,
    CANCEL_MESSAGE,
    PICKUP_CHANGED,
    READY_MESSAGE,
    RECEIPT_EMAIL,
)
from cloudcity.pickup import book_pickup, free_pickup, shop_rules
from cloudcity.reminders import cancel_reminder, reschedule_reminder

MAX_REASON = 500
ALLOWED = {
    OrderStatus.PLACED: {OrderStatus.READY, OrderStatus.CANCELLED},
    OrderStatus.READY: {OrderStatus.PICKED_UP, OrderStatus.CANCELLED},
}
WORDS = {
    OrderStatus.PLACED: ("still being baked", "placed"),
    OrderStatus.READY: ("ready for pickup", "marked ready"),
    OrderStatus.PICKED_UP: ("already picked up", "marked picked up"),
    OrderStatus.CANCELLED: ("cancelled", "cancelled"),
}


class TransitionError(ValueError):
    """A move an order cannot make (picking up a cancelled order, ...); says why."""


class OrderNotFound(LookupError):
    """No order has this id."""


@dataclass(frozen=True)
class Transition:
    """The order after an action, and whether the action changed it (False: already there)."""

    order: Order
    changed: bool


def mark_ready(
    *,
    uow: UnitOfWork,
    order_id: int,
    actor: str,
    now: datetime,
    undo_for: timedelta = timedelta(0),
) -> Transition:
    """Mark an order ready and enqueue the pickup message (once, however often it is asked).

    The message may leave only after `undo_for`: until then `undo` takes it back unsent.
    """
    done = _move(uow, locked_order(uow, order_id), OrderStatus.READY, actor, now=now)
    if done.changed:
        order = done.order
        order.ready_at = now
        # Numbered after an undo: a key is used once ever, and the next "ready" must be sent.
        earlier = uow.outbox.count_keyed(order_id=order.id, prefix="ready:")
        key = f"ready:order:{order.id}" + (f":{earlier + 1}" if earlier else "")
        uow.outbox.enqueue(
            kind=READY_MESSAGE,
            key=key,
            recipient=order.customer.address,
            order_id=order.id,
            now=now,
            not_before=now + undo_for,
        )
    return done


def undo_deadline(order: Order, window: timedelta) -> datetime | None:
    """Until when the order's last "ready" or "picked up" can be undone (None: nothing to undo)."""
    done_at = {OrderStatus.READY: order.ready_at, OrderStatus.PICKED_UP: order.picked_up_at}
    moment = done_at.get(order.status)
    return None if moment is None else moment + window


def undo(
    *, uow: UnitOfWork, order_id: int, actor: str, now: datetime, window: timedelta
) -> Transition:
    """Take back "ready" (its message is cancelled unsent) or "picked up", within `window`."""
    order = locked_order(uow, order_id)
    deadline = undo_deadline(order, window)
    if deadline is None or now >= deadline:
        state, _ = WORDS[order.status]
        raise TransitionError(f"order #{order.id} is {state} and there is nothing left to undo")
    if order.status is OrderStatus.PICKED_UP:
        order.status, order.picked_up_at = OrderStatus.READY, None
        uow.orders.record_event(order_id=order.id, kind="picked_up_undone", actor=actor, at=now)
        return Transition(order, changed=True)
    why = "the baker undid 'ready' before it was sent"
    if not uow.outbox.cancel_due(order_id=order.id, kind=READY_MESSAGE, reason=why, now=now):
        raise TransitionError(f"the ready message of order #{order.id} is already on its way")
    order.status, order.ready_at = OrderStatus.PLACED, None
    note = "the ready message was not sent"
    uow.orders.record_event(order_id=order.id, kind="ready_undone", actor=actor, at=now, note=note)
    return Transition(order, changed=True)


def mark_picked_up(*, uow: UnitOfWork, order_id: int, actor: str, now: datetime) -> Transition:
    """Record that the customer collected a ready order."""
    done = _move(uow, locked_order(uow, order_id), OrderStatus.PICKED_UP, actor, now=now)
    if done.changed:
        done.order.picked_up_at = now
    return done


def cancel_order(
    *,
    uow: UnitOfWork,
    order_id: int,
    actor: str,
    reason: str,
    now: datetime,
    tell_customer: bool = True,
) -> Transition:
    """Cancel an order not yet picked up, telling the customer why; its reminder is not sent.

    `tell_customer=False` when the customer asked in the chat: the chat's reply tells them.
    """
    reason = " ".join(reason.split())
    # An impossible or repeated cancel is answered as such, whatever reason came with it.
    locked = locked_order(uow, order_id)
    if _allowed(locked, OrderStatus.CANCELLED):
        if not reason:
            raise TransitionError("say why the order is cancelled: the customer is told the reason")
        if len(reason) > MAX_REASON:
            raise TransitionError(f"keep the reason under {MAX_REASON} characters")
    done = _move(uow, locked, OrderStatus.CANCELLED, actor, now=now, note=reason)
    if done.changed:
        order = done.order
        order.cancelled_at = now
        order.cancel_reason = reason
        if order.pickup_at is not None:
            free_pickup(uow=uow, pickup_at=order.pickup_at, rules=shop_rules(uow))
        _stop_sending(uow, order, now=now)
        if tell_customer:
            _tell_cancelled(uow, order, reason, now=now)
    return done


def _stop_sending(uow: UnitOfWork, order: Order, *, now: datetime) -> None:
    """No reminder, and no ready message still waiting to leave, for a cancelled order."""
    why = "the order was cancelled"
    cancel_reminder(uow=uow, order_id=order.id, reason=why, now=now)
    uow.outbox.cancel_due(order_id=order.id, kind=READY_MESSAGE, reason=why, now=now)


def _tell_cancelled(uow: UnitOfWork, order: Order, reason: str, *, now: datetime) -> None:
    """The reason by text, and by email if we have the customer's address."""
    recipients = [(CANCEL_MESSAGE, "cancel", order.customer.address)]
    if order.customer.email:
        recipients.append((CANCEL_EMAIL, "cancel-email", order.customer.email))
    for kind, key, recipient in recipients:
        uow.outbox.enqueue(
            kind=kind,
            key=f"{key}:order:{order.id}",
            recipient=recipient,
            payload={"reason": reason},
            order_id=order.id,
            now=now,
        )


def reschedule(
    *,
    uow: UnitOfWork,
    order_id: int,
    start: datetime,
    actor: str,
    now: datetime,
    reminder_hour: int,
    tell_customer: bool = True,
) -> Transition:
    """Move an open order's pickup (or set one "to arrange") and tell the customer, once.

    Capacity is checked like a customer's booking (`pickup.PickupUnavailable` when refused);
    the old place is given back in the same transaction, so a refusal keeps it. The customer
    who moved it in the chat (`tell_customer=False`) has the chat's reply instead.
    """
    order = locked_order(uow, order_id)
    if order.status not in ALLOWED:
        state, _ = WORDS[order.status]
        raise TransitionError(f"order #{order.id} is {state}, so its pickup cannot be moved")
    if order.pickup_at == as_utc(start, "start"):
        return Transition(order, changed=False)
    slot, note = move_place(uow, order, start, size=order.size, now=now)
    uow.orders.record_event(
        order_id=order.id, kind="pickup_changed", actor=actor, at=now, note=note
    )
    if tell_customer:
        _tell_pickup(uow, order, slot, now=now)
    reschedule_reminder(
        uow=uow,
        order_id=order.id,
        pickup_at=slot.start,
        rules=shop_rules(uow),
        now=now,
        hour=reminder_hour,
    )
    return Transition(order, changed=True)


def move_place(
    uow: UnitOfWork, order: Order, start: datetime, *, size: str, now: datetime
) -> tuple[Slot, str]:
    """Give back the order's place and book `start` for a cake of `size`; the change in words.

    Booking checks the lead time for `size` and the capacity (`PickupUnavailable`); the
    caller's transaction rolls back on a refusal, so the order keeps its old place.
    """
    rules, before = shop_rules(uow), order.pickup_at
    if before is not None:
        free_pickup(uow=uow, pickup_at=before, rules=rules)
    slot = book_pickup(uow=uow, start=start, size=size, now=now, address=None)
    order.pickup_at = slot.start
    was = "to arrange" if before is None else _moment(before, rules.tz, rules.locale)
    return slot, f"{slot_label(slot, locale=rules.locale)} (was {was})"


def _tell_pickup(uow: UnitOfWork, order: Order, slot: Slot, *, now: datetime) -> None:
    prefix = f"pickup:order:{order.id}:"
    number = uow.outbox.count_keyed(order_id=order.id, prefix=prefix) + 1
    uow.outbox.enqueue(
        kind=PICKUP_CHANGED,
        key=f"{prefix}{number}",
        recipient=order.customer.address,
        payload={"pickup_at": slot.start.isoformat(), "pickup_end": slot.end.isoformat()},
        order_id=order.id,
        now=now,
    )


def _moment(moment: datetime, tz: ZoneInfo, locale: str) -> str:
    local = moment.astimezone(tz)
    return f"{day_label(local.date(), locale=locale)}, {local:%H:%M}"


def resend_receipt(*, uow: UnitOfWork, order_id: int, actor: str, now: datetime) -> int:
    """Enqueue the receipt email again (key `receipt:order:<id>:resend:<n>`); returns n."""
    order = locked_order(uow, order_id)
    if not order.customer.email:
        raise TransitionError(f"order #{order.id} has no email address to send a receipt to")
    prefix = f"receipt:order:{order.id}:resend:"
    number = uow.outbox.count_keyed(order_id=order.id, prefix=prefix) + 1
    uow.outbox.enqueue(
        kind=RECEIPT_EMAIL,
        key=f"{prefix}{number}",
        recipient=order.customer.email,
        order_id=order.id,
        now=now,
    )
    uow.orders.record_event(order_id=order.id, kind="receipt_resent", actor=actor, at=now)
    return number


def _move(
    uow: UnitOfWork,
    order: Order,
    target: OrderStatus,
    actor: str,
    *,
    now: datetime,
    note: str | None = None,
) -> Transition:
    if not _allowed(order, target):
        return Transition(order, changed=False)
    order.status = target
    uow.orders.record_event(order_id=order.id, kind=target.value, actor=actor, at=now, note=note)
    return Transition(order, changed=True)


def _allowed(order: Order, target: OrderStatus) -> bool:
    """True when the order can move to `target`; False when it is there already; else refused."""
    if order.status is target:
        return False
    if target not in ALLOWED.get(order.status, set()):
        state, _ = WORDS[order.status]
        _, verb = WORDS[target]
        raise TransitionError(f"order #{order.id} is {state}, so it cannot be {verb}")
    return True


def locked_order(uow: UnitOfWork, order_id: int) -> Order:
    """The order, locked until commit; `OrderNotFound` when there is none."""
    order = uow.orders.locked(order_id)
    if order is None:
        raise OrderNotFound(f"there is no order #{order_id}")
    return order
