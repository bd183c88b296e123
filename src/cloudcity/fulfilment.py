"""What bakers do to an order: mark it ready, hand it over, cancel it, resend its receipt.

Each action locks the order row, checks the move is allowed, records who did it and enqueues
the customer's message, all in the caller's transaction. Repeating the state an order is
already in changes nothing and sends nothing, so two bakers clicking at once send one message.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.dialect import lock_for_update
from cloudcity.db.models import Order, OrderEvent, OrderStatus, OutboxMessage
from cloudcity.outbox.queue import CANCEL_MESSAGE, READY_MESSAGE, RECEIPT_EMAIL, enqueue

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


def mark_ready(*, session: orm.Session, order_id: int, actor: str) -> Transition:
    """Mark an order ready and enqueue the pickup message (once, however often it is asked)."""
    done = _move(session, _locked(session, order_id), OrderStatus.READY, actor)
    if done.changed:
        order = done.order
        order.ready_at = utcnow()
        enqueue(
            session,
            kind=READY_MESSAGE,
            key=f"ready:order:{order.id}",
            recipient=order.customer.address,
            order_id=order.id,
        )
    return done


def mark_picked_up(*, session: orm.Session, order_id: int, actor: str) -> Transition:
    """Record that the customer collected a ready order."""
    done = _move(session, _locked(session, order_id), OrderStatus.PICKED_UP, actor)
    if done.changed:
        done.order.picked_up_at = utcnow()
    return done


def cancel_order(*, session: orm.Session, order_id: int, actor: str, reason: str) -> Transition:
    """Cancel an order not yet picked up, telling the customer why."""
    reason = " ".join(reason.split())
    # An impossible or repeated cancel is answered as such, whatever reason came with it.
    locked = _locked(session, order_id)
    if _allowed(locked, OrderStatus.CANCELLED):
        if not reason:
            raise TransitionError("say why the order is cancelled: the customer is told the reason")
        if len(reason) > MAX_REASON:
            raise TransitionError(f"keep the reason under {MAX_REASON} characters")
    done = _move(session, locked, OrderStatus.CANCELLED, actor, note=reason)
    if done.changed:
        order = done.order
        order.cancelled_at = utcnow()
        order.cancel_reason = reason
        enqueue(
            session,
            kind=CANCEL_MESSAGE,
            key=f"cancel:order:{order.id}",
            recipient=order.customer.address,
            payload={"reason": reason},
            order_id=order.id,
        )
    return done


def resend_receipt(*, session: orm.Session, order_id: int, actor: str) -> int:
    """Enqueue the receipt email again (key `receipt:order:<id>:resend:<n>`); returns n."""
    order = _locked(session, order_id)
    if not order.customer.email:
        raise TransitionError(f"order #{order.id} has no email address to send a receipt to")
    prefix = f"receipt:order:{order.id}:resend:"
    sent_before = session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.order_id == order.id, OutboxMessage.idempotency_key.startswith(prefix))
    )
    number = (sent_before or 0) + 1
    enqueue(
        session,
        kind=RECEIPT_EMAIL,
        key=f"{prefix}{number}",
        recipient=order.customer.email,
        order_id=order.id,
    )
    session.add(OrderEvent(order_id=order.id, kind="receipt_resent", actor=actor))
    return number


def _move(
    session: orm.Session, order: Order, target: OrderStatus, actor: str, note: str | None = None
) -> Transition:
    if not _allowed(order, target):
        return Transition(order, changed=False)
    order.status = target
    session.add(OrderEvent(order_id=order.id, kind=target.value, actor=actor, note=note))
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


def _locked(session: orm.Session, order_id: int) -> Order:
    # The customer is loaded separately so that FOR UPDATE locks the order row alone,
    # and populate_existing makes a status read earlier in this session current again.
    query = (
        sa.select(Order)
        .where(Order.id == order_id)
        .options(orm.lazyload(Order.customer))
        .execution_options(populate_existing=True)
    )
    order: Order | None = session.scalars(lock_for_update(query, session)).one_or_none()
    if order is None:
        raise OrderNotFound(f"there is no order #{order_id}")
    return order
