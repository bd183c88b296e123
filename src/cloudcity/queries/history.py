"""An order's story for the admin: its timeline, the customer's other orders, their chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import ChatMessage, DeliveryEvent, Order, OrderEvent
from cloudcity.db.models import OutboxMessage as Outbox
from cloudcity.domain import Channel, twilio_address
from cloudcity.outbox.delivery import error_text
from cloudcity.queries.inbox import Line, around

MAX_OTHER_ORDERS = 10
MAX_EVENTS = 200
# An order's conversation pauses less than the chat's timeout (the default of
# CLOUDCITY_CONVERSATION_TIMEOUT_MINUTES): a longer silence before an order is not about it.
ORDER_PAUSE = timedelta(minutes=60)
MAX_LEADING = 200  # the most messages looked at for the start of an order's conversation
MESSAGE_NAMES = {
    "receipt_email": "Receipt email",
    "ready_message": "Ready-for-pickup message",
    "cancel_message": "Cancellation message",
    "pickup_changed": "New pickup time message",
    "cancel_email": "Cancellation email",
    "order_changed": "Order changed message",
    "pickup_reminder": "Pickup reminder",
    "staff_message": "Message from the bakery",
    "fetch_photo": "Reference photo download",
}
EVENT_NAMES = {
    "placed": "Order placed",
    "ready": "Marked ready",
    "picked_up": "Picked up",
    "cancelled": "Cancelled",
    "receipt_resent": "Receipt resend requested",
    "pickup_changed": "Pickup time set",
    "edited": "Order edited",
    "ready_undone": "Ready undone (no message sent)",
    "picked_up_undone": "Picked up undone",
}


@dataclass(frozen=True)
class Entry:
    """One line of an order's timeline: when, what happened, and who (or what) did it."""

    at: datetime
    what: str
    who: str
    note: str | None = None


def timeline(session: orm.Session, order: Order) -> list[Entry]:
    """Order events, the messages sent about the order and their delivery reports, in time order."""
    entries = [_event_entry(e) for e in _events(session, order.id)]
    messages = list(
        session.scalars(
            sa.select(Outbox).where(Outbox.order_id == order.id).order_by(Outbox.id).limit(50)
        )
    )
    for message in messages:
        entries.extend(_message_entries(message))
    entries.extend(_delivery_entries(session, {m.id: m for m in messages}))
    return sorted(entries, key=lambda entry: entry.at)


def _events(session: orm.Session, order_id: int) -> list[OrderEvent]:
    query = (
        sa.select(OrderEvent)
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.at, OrderEvent.id)
        .limit(MAX_EVENTS)
    )
    return list(session.scalars(query))


def _event_entry(event: OrderEvent) -> Entry:
    what = EVENT_NAMES.get(event.kind, event.kind.replace("_", " ").capitalize())
    return Entry(event.at, what, event.actor, event.note)


def _message_entries(message: Outbox) -> list[Entry]:
    name = _message_name(message)
    entries = [Entry(message.created_at, f"{name} queued", "system", message.recipient)]
    if message.sent_at is not None:
        entries.append(Entry(message.sent_at, f"{name} sent", "outbox worker", message.recipient))
    if message.status in ("failed", "dead"):
        failed = Entry(message.updated_at, f"{name} failed", "outbox worker", message.last_error)
        entries.append(failed)
    return entries


def _message_name(message: Outbox) -> str:
    name = MESSAGE_NAMES.get(message.kind, message.kind.replace("_", " ").capitalize())
    return f"{name} (resend)" if ":resend:" in message.idempotency_key else name


def _delivery_entries(session: orm.Session, messages: dict[int, Outbox]) -> list[Entry]:
    if not messages:
        return []
    query = (
        sa.select(DeliveryEvent)
        .where(DeliveryEvent.outbox_id.in_(messages))
        .order_by(DeliveryEvent.at)
        .limit(MAX_EVENTS)
    )
    return [
        Entry(
            report.at,
            f"{_message_name(messages[report.outbox_id or 0])}: {report.event}",
            report.provider,
            error_text(report.provider, report.error_code) if report.error_code else None,
        )
        for report in session.scalars(query)
    ]


def other_orders(
    session: orm.Session, order: Order, *, limit: int = MAX_OTHER_ORDERS
) -> list[Order]:
    """The customer's other orders, newest first (at most `limit`)."""
    query = (
        sa.select(Order)
        .where(Order.customer_id == order.customer_id, Order.id != order.id)
        .order_by(Order.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def order_chat(session: orm.Session, order: Order, *, pause: timedelta = ORDER_PAUSE) -> list[Line]:
    """The order's own stretch of the customer's chat (on both channels), oldest first.

    The customer's chat is cut between their orders, so each message shows on exactly one
    order's page. An order's stretch begins with the conversation that led to it: the messages
    just before its placing, back to the first silence of at least `pause` (the chat forgets a
    half-finished order after such a silence), never before the previous order was placed; the
    first order's stretch also holds everything before it. It runs through the placing and
    confirmation and whatever follows (thanks, questions, a handoff to staff) until the next
    order's stretch begins. An order placed with no chat before it (by staff, say) begins at its
    placing. At most 150 messages either side of the placing are shown (see `around`).
    """
    customer = order.customer
    addresses = [twilio_address(customer.phone, channel) for channel in Channel]
    previous, following = _neighbours(session, order)
    first = None
    if previous is not None:
        first = _start(session, addresses, order.placed_at, previous, pause)
        if first is None:
            return []  # not a message since the previous order was placed
    stop = None
    if following is not None:
        stop = _start(session, addresses, following, order.placed_at, pause)
    return around(session, addresses, at=order.placed_at, first=first, stop=stop)


def _start(
    session: orm.Session,
    addresses: list[str],
    placed_at: datetime,
    since: datetime,
    pause: timedelta,
) -> int | None:
    """The first message of the stretch of an order placed at `placed_at` after an order placed
    at `since` (None: no message from then on is about it, nor about any later order)."""
    leading = (
        sa.select(ChatMessage.id, ChatMessage.created_at)
        .where(
            ChatMessage.address.in_(addresses),
            ChatMessage.created_at > since,
            ChatMessage.created_at <= placed_at,
        )
        .order_by(ChatMessage.id.desc())
        .limit(MAX_LEADING)
    )
    first, later = None, placed_at
    for message_id, at in session.execute(leading):
        if later - at >= pause:
            break
        first, later = message_id, at
    if first is not None:
        return first
    after = sa.select(sa.func.min(ChatMessage.id)).where(
        ChatMessage.address.in_(addresses), ChatMessage.created_at > placed_at
    )
    found: int | None = session.scalar(after)
    return found


def _neighbours(session: orm.Session, order: Order) -> tuple[datetime | None, datetime | None]:
    """When the customer's orders just before and just after this one were placed."""
    theirs = sa.select(Order.placed_at).where(Order.customer_id == order.customer_id)
    earlier = sa.or_(
        Order.placed_at < order.placed_at,
        sa.and_(Order.placed_at == order.placed_at, Order.id < order.id),
    )
    later = sa.or_(
        Order.placed_at > order.placed_at,
        sa.and_(Order.placed_at == order.placed_at, Order.id > order.id),
    )
    previous = session.scalar(
        theirs.where(earlier).order_by(Order.placed_at.desc(), Order.id.desc()).limit(1)
    )
    following = session.scalar(theirs.where(later).order_by(Order.placed_at, Order.id).limit(1))
    return previous, following
