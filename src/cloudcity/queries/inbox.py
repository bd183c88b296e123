"""The staff inbox's reads: conversations found by name, number or text, and one thread.

A thread shows each message once: an inbound row also keeps the bot's `reply` (for Twilio's
retries), but the reply has its own outbound row, and that row is the one shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import (
    ChatMessage,
    Conversation,
    Customer,
    DeliveryEvent,
    Order,
    OutboxMessage,
)
from cloudcity.domain import WHATSAPP_PREFIX
from cloudcity.outbox.delivery import error_text
from cloudcity.outbox.status import CANCELLED, DEAD, FAILED, PENDING, RETRY, SENDING, SENT

PAGE_SIZE = 50
MAX_HANDED_OFF = 200
THREAD_PAGE = 300
CUSTOMER_ORDERS = 10
PREVIEW = 120
FAILED_REPORTS = ("failed", "undelivered")  # Twilio's statuses for a message it could not deliver
NON_DIGITS = re.compile(r"\D")
PHONE_TERM = re.compile(r"^[\d\s()+.\-]+$")
OUTBOX_WORDS = {
    PENDING: "queued",
    RETRY: "queued (retrying)",
    SENDING: "sending",
    SENT: "sent",
    FAILED: "failed",
    DEAD: "failed",
    CANCELLED: "not sent",
}


@dataclass(frozen=True)
class Summary:
    """One conversation in a list: who, on which channel, and its latest message."""

    id: int
    address: str
    name: str | None
    updated_at: datetime
    last_message: str
    last_from: str


@dataclass(frozen=True)
class HandedOff:
    """A conversation staff have: since when, why, and since when the customer has waited
    for an answer (None: staff answered their last message)."""

    summary: Summary
    handoff_at: datetime
    reason: str | None
    waiting_since: datetime | None


@dataclass(frozen=True)
class Line:
    """One message of a thread: who wrote it (customer, bot or a baker), and its delivery."""

    id: int
    at: datetime
    direction: str
    author: str | None
    body: str
    status: str | None = None
    error: str | None = None

    @property
    def who(self) -> str:
        """`customer`, `bot` or `staff`."""
        if self.direction == "in":
            return "customer"
        return "bot" if self.author is None else "staff"


@dataclass(frozen=True)
class Thread:
    """A conversation: its address, the customer (if known), messages oldest first, orders."""

    id: int
    address: str
    customer: Customer | None
    lines: list[Line]
    earlier_before: int | None
    orders: list[Order]
    handoff_at: datetime | None = None
    handoff_reason: str | None = None

    @property
    def phone(self) -> str:
        """The number without its channel prefix."""
        return self.address.removeprefix(WHATSAPP_PREFIX)

    @property
    def is_whatsapp(self) -> bool:
        """True for a WhatsApp conversation."""
        return self.address.startswith(WHATSAPP_PREFIX)


def handed_off(session: orm.Session) -> list[HandedOff]:
    """Conversations with staff: those waiting for an answer first, longest waiting first."""
    rows = _handed_off_rows(session)
    found = summaries(session, [(row.id, row.address, row.updated_at) for row in rows])
    since = _waiting(session, rows)
    conversations = [
        HandedOff(summary, row.handoff_at, row.handoff_reason, since[row.address])
        for row, summary in zip(rows, found, strict=True)
    ]
    return sorted(conversations, key=_longest_waiting_first)


def waiting_count(session: orm.Session) -> int:
    """How many conversations wait for a person to answer."""
    since = _waiting(session, _handed_off_rows(session))
    return sum(1 for moment in since.values() if moment is not None)


@dataclass(frozen=True)
class _Handed:
    id: int
    address: str
    updated_at: datetime
    handoff_at: datetime
    handoff_reason: str | None
    staff_reply_at: datetime | None


def _handed_off_rows(session: orm.Session) -> list[_Handed]:
    query = (
        sa.select(
            Conversation.id,
            Conversation.address,
            Conversation.updated_at,
            Conversation.handoff_at,
            Conversation.handoff_reason,
            Conversation.staff_reply_at,
        )
        .where(Conversation.handoff_at.is_not(None))
        .order_by(Conversation.handoff_at, Conversation.id)
        .limit(MAX_HANDED_OFF)
    )
    # handoff_at is never NULL here (the WHERE says so): the column's type cannot tell.
    return [_Handed(*row) for row in session.execute(query)]  # type: ignore[arg-type]


def _waiting(session: orm.Session, rows: list[_Handed]) -> dict[str, datetime | None]:
    """Per address, since when the customer has waited for staff (None: answered)."""
    unanswered = _first_unanswered(session, [row.address for row in rows])
    since = {}
    for row in rows:
        answered = row.staff_reply_at is not None and row.staff_reply_at >= row.handoff_at
        since[row.address] = _waiting_since(
            row.handoff_at, unanswered.get(row.address), answered=answered
        )
    return since


def _waiting_since(
    handoff_at: datetime, first_unanswered: datetime | None, *, answered: bool
) -> datetime | None:
    if first_unanswered is not None:
        return max(handoff_at, first_unanswered)
    return None if answered else handoff_at


def _longest_waiting_first(found: HandedOff) -> tuple[bool, datetime]:
    return found.waiting_since is None, found.waiting_since or found.handoff_at


def _first_unanswered(session: orm.Session, addresses: list[str]) -> dict[str, datetime]:
    """Per address, when the customer first wrote after the last message from staff."""
    if not addresses:
        return {}
    staff = orm.aliased(ChatMessage)
    last_staff = (
        sa.select(sa.func.coalesce(sa.func.max(staff.id), 0))
        .where(staff.address == ChatMessage.address, staff.author.is_not(None))
        .scalar_subquery()
    )
    query = (
        sa.select(ChatMessage.address, sa.func.min(ChatMessage.created_at))
        .where(
            ChatMessage.address.in_(addresses),
            ChatMessage.direction == "in",
            ChatMessage.id > last_staff,
        )
        .group_by(ChatMessage.address)
    )
    found: dict[str, datetime] = dict(session.execute(query).all())
    return found


def find_conversations(session: orm.Session, term: str = "") -> list[Summary]:
    """Conversations, latest activity first; with a term, those matching a name, number or text."""
    query = sa.select(Conversation.id, Conversation.address, Conversation.updated_at)
    term = " ".join(term.split())
    if term:
        query = query.where(_matching(term))
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    rows = session.execute(query.limit(PAGE_SIZE)).all()
    return summaries(session, [(row.id, row.address, row.updated_at) for row in rows])


def summaries(session: orm.Session, rows: list[tuple[int, str, datetime]]) -> list[Summary]:
    """Conversations (id, address, last activity) with their customer's name and last message."""
    addresses = [address for _, address, _ in rows]
    names = names_by_address(session, addresses)
    latest = _latest_messages(session, addresses)
    found = []
    for conversation_id, address, updated_at in rows:
        message = latest.get(address)
        body = "" if message is None else " ".join(message.body.split())
        who = "" if message is None else _who(message.direction, message.author)
        found.append(
            Summary(conversation_id, address, names.get(address), updated_at, body[:PREVIEW], who)
        )
    return found


def _matching(term: str) -> sa.ColumnElement[bool]:
    """A phone-like term matches digits anywhere in the number; words match names and text."""
    if PHONE_TERM.match(term) and (digits := NON_DIGITS.sub("", term)):
        return Conversation.address.contains(digits, autoescape=True)
    lowered = term.lower()
    named = sa.select(Customer.phone).where(
        sa.func.lower(Customer.name).contains(lowered, autoescape=True)
    )
    said = sa.select(ChatMessage.address).where(
        sa.func.lower(ChatMessage.body).contains(lowered, autoescape=True)
    )
    by_phone = sa.func.replace(Conversation.address, WHATSAPP_PREFIX, "")
    return sa.or_(by_phone.in_(named), Conversation.address.in_(said))


def names_by_address(session: orm.Session, addresses: list[str]) -> dict[str, str | None]:
    """The customer's name for each address (a number's customer is the same on either channel)."""
    phones = {address: address.removeprefix(WHATSAPP_PREFIX) for address in addresses}
    if not phones:
        return {}
    query = sa.select(Customer.phone, Customer.name).where(Customer.phone.in_(set(phones.values())))
    by_phone: dict[str, str | None] = dict(session.execute(query).all())
    return {address: by_phone.get(phone) for address, phone in phones.items()}


def _latest_messages(session: orm.Session, addresses: list[str]) -> dict[str, ChatMessage]:
    if not addresses:
        return {}
    newest = (
        sa.select(sa.func.max(ChatMessage.id))
        .where(ChatMessage.address.in_(addresses))
        .group_by(ChatMessage.address)
    )
    messages = session.scalars(sa.select(ChatMessage).where(ChatMessage.id.in_(newest)))
    return {message.address: message for message in messages}


def _who(direction: str, author: str | None) -> str:
    if direction == "in":
        return "customer"
    return author or "bot"


def thread(
    session: orm.Session, conversation_id: int, *, before: int | None = None
) -> Thread | None:
    """A conversation's latest messages (older than `before`), oldest first, with its orders."""
    state = session.execute(
        sa.select(Conversation.address, Conversation.handoff_at, Conversation.handoff_reason).where(
            Conversation.id == conversation_id
        )
    ).one_or_none()
    if state is None:
        return None
    address = state.address
    lines = transcript(session, address, before=before, limit=THREAD_PAGE + 1)
    earlier = lines[1].id if len(lines) > THREAD_PAGE else None
    lines = lines[-THREAD_PAGE:]
    customer = session.scalar(
        sa.select(Customer).where(Customer.phone == address.removeprefix(WHATSAPP_PREFIX))
    )
    orders = [] if customer is None else customer_orders(session, customer.id)
    return Thread(
        conversation_id,
        address,
        customer,
        lines,
        earlier,
        orders,
        state.handoff_at,
        state.handoff_reason,
    )


def transcript(
    session: orm.Session, address: str, *, before: int | None = None, limit: int = THREAD_PAGE
) -> list[Line]:
    """The newest `limit` messages with an address (older than message `before`), oldest first."""
    query = _with_delivery().where(ChatMessage.address == address)
    if before is not None:
        query = query.where(ChatMessage.id < before)
    return _lines(session, query.order_by(ChatMessage.id.desc()).limit(limit), newest_first=True)


def around(
    session: orm.Session,
    addresses: list[str],
    *,
    at: datetime,
    first: int | None,
    stop: int | None,
    each: int = THREAD_PAGE // 2,
) -> list[Line]:
    """Messages with these addresses from message `first` up to (not including) message `stop`,
    oldest first: at most `each` up to the moment `at` and `each` after it."""
    query = _with_delivery().where(ChatMessage.address.in_(addresses))
    if first is not None:
        query = query.where(ChatMessage.id >= first)
    if stop is not None:
        query = query.where(ChatMessage.id < stop)
    before = query.where(ChatMessage.created_at <= at)
    after = query.where(ChatMessage.created_at > at)
    earlier = _lines(session, before.order_by(ChatMessage.id.desc()).limit(each), newest_first=True)
    later = _lines(session, after.order_by(ChatMessage.id).limit(each), newest_first=False)
    return earlier + later


def _with_delivery() -> sa.Select[ChatMessage, OutboxMessage]:
    return sa.select(ChatMessage, OutboxMessage).outerjoin(
        OutboxMessage, OutboxMessage.id == ChatMessage.outbox_id
    )


def _lines(
    session: orm.Session,
    query: sa.Select[ChatMessage, OutboxMessage],
    *,
    newest_first: bool,
) -> list[Line]:
    rows = list(session.execute(query).all())
    ordered = reversed(rows) if newest_first else rows
    codes = _error_codes(session, [outbox for _, outbox in rows if outbox is not None])
    return [_line(message, outbox, codes) for message, outbox in ordered]


def _error_codes(session: orm.Session, messages: list[OutboxMessage]) -> dict[int, str]:
    """Per outbox id, the provider's error text for a message reported failed or undelivered."""
    failed = {m.id: m.delivery_status for m in messages if m.delivery_status in FAILED_REPORTS}
    if not failed:
        return {}
    query = (
        sa.select(DeliveryEvent)
        .where(DeliveryEvent.outbox_id.in_(failed), DeliveryEvent.error_code.is_not(None))
        .order_by(DeliveryEvent.id)
    )
    return {
        event.outbox_id: error_text(event.provider, event.error_code)
        for event in session.scalars(query)
        if event.outbox_id is not None
        and event.error_code is not None
        and event.event == failed[event.outbox_id]
    }


def conversation_id(session: orm.Session, address: str) -> int | None:
    """The id of the conversation with an address (None: they never wrote)."""
    found: int | None = session.scalar(
        sa.select(Conversation.id).where(Conversation.address == address)
    )
    return found


def _line(
    message: ChatMessage, outbox: OutboxMessage | None, codes: dict[int, str] | None = None
) -> Line:
    status = error = None
    if outbox is not None:
        status = outbox.delivery_status or OUTBOX_WORDS.get(outbox.status, outbox.status)
        error = outbox.last_error if outbox.status in (FAILED, DEAD, CANCELLED) else None
        # A report after the send: the provider took the message, then could not deliver it.
        error = (codes or {}).get(outbox.id) or error
    return Line(
        message.id,
        message.created_at,
        message.direction,
        message.author,
        message.body,
        status,
        error,
    )


def customer_orders(session: orm.Session, customer_id: int) -> list[Order]:
    """The customer's latest orders, newest first."""
    query = (
        sa.select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.id.desc())
        .limit(CUSTOMER_ORDERS)
    )
    return list(session.scalars(query))


def staff_messages_after(session: orm.Session, address: str, after: int) -> list[Line]:
    """A baker's messages to an address newer than message `after` (for the chat simulator)."""
    query = (
        sa.select(ChatMessage)
        .where(
            ChatMessage.address == address,
            ChatMessage.id > after,
            ChatMessage.author.is_not(None),
        )
        .order_by(ChatMessage.id)
        .limit(THREAD_PAGE)
    )
    return [_line(message, None) for message in session.scalars(query)]


def last_message_id(session: orm.Session, address: str) -> int:
    """The newest message id with an address (0: none yet)."""
    query = sa.select(sa.func.max(ChatMessage.id)).where(ChatMessage.address == address)
    return session.scalar(query) or 0
