"""What one chat message reads and writes: plain rows, the conversation locked, saved once.

Every inbound message runs this; plain statements built once cost a fraction of the ORM's
load-and-flush for the same five rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity import menu
from cloudcity.customers import touch_customer
from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, insert_ignore, lock_for_update
from cloudcity.db.models import ChatMessage, Conversation, Customer
from cloudcity.phones import Address

_CONVERSATIONS = table_of(Conversation)
_CUSTOMERS = table_of(Customer)
_MESSAGES = table_of(ChatMessage)
_BY_ADDRESS = sa.select(
    _CONVERSATIONS.c.id,
    _CONVERSATIONS.c.step,
    _CONVERSATIONS.c.data,
    _CONVERSATIONS.c.misses,
    _CONVERSATIONS.c.updated_at,
).where(_CONVERSATIONS.c.address == sa.bindparam("address", type_=sa.String))
_SAVE_CONVERSATION = (
    sa.update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == sa.bindparam("conversation_id", type_=sa.Integer))
    .values(
        step=sa.bindparam("step"),
        data=sa.bindparam("data"),
        misses=sa.bindparam("misses"),
        updated_at=sa.bindparam("updated_at"),
    )
)
_SAVE_OPT_OUT = (
    sa.update(_CUSTOMERS)
    .where(_CUSTOMERS.c.id == sa.bindparam("customer_id", type_=sa.Integer))
    .values(opted_out=sa.bindparam("opted_out"), updated_at=sa.bindparam("updated_at"))
)
_EARLIER = sa.select(_MESSAGES.c.address, _MESSAGES.c.reply).where(
    _MESSAGES.c.message_sid == sa.bindparam("sid", type_=sa.String)
)
_RECORD = sa.insert(_MESSAGES)


@dataclass
class ConversationState:
    """Where a conversation is: its step, what was chosen so far, and how many misses."""

    id: int
    step: str
    data: dict[str, Any]
    misses: int
    updated_at: datetime
    # The menu's version (menu.version) as of the lock: comes free with it, and saves
    # reading a menu this process already holds.
    menu_version: str | None = field(default=None, repr=False)


@dataclass
class CustomerState:
    """The customer writing in, as the conversation needs them."""

    id: int
    name: str | None
    email: str | None
    opted_out: bool
    was_opted_out: bool = field(default=False, repr=False)


class AlreadyRecorded(Exception):
    """The message's MessageSid is in the transcript already: Twilio sent it again."""


@dataclass(frozen=True)
class Earlier:
    """An inbound message already answered: who sent it and what we replied."""

    address: str
    reply: str | None


def locked_conversation(session: orm.Session, *, address: str, now: datetime) -> ConversationState:
    """The address's conversation, created if new, locked until commit (one message at a time)."""
    query = _locked_by_address(backend(session))
    found = session.execute(query, {"address": address}).one_or_none()
    if found is None:  # a new conversation starts at the model's first step, with no data
        row = {"address": address, "updated_at": now, "created_at": now}
        insert_ignore(session, Conversation, row, unique=["address"])
        found = session.execute(query, {"address": address}).one()
    return ConversationState(*found)


@functools.cache
def _locked_by_address(backend_name: str) -> sa.Select[Any]:
    # FOR UPDATE locks the conversation row alone, not the menu. After waiting for the lock,
    # PostgreSQL re-reads the locked row but not the menu's version: that stays as it was a
    # moment before, as if the message had come a moment earlier (orders are priced afresh
    # when placed).
    query = _BY_ADDRESS.add_columns(menu.version(backend_name).label("menu_version"))
    return lock_for_update(query, backend_name)


def earlier(session: orm.Session, message_sid: str | None) -> Earlier | None:
    """The message already handled under this MessageSid, when Twilio sends it again."""
    if message_sid is None:
        return None
    found = session.execute(_EARLIER, {"sid": message_sid}).one_or_none()
    return None if found is None else Earlier(found.address, found.reply)


def customer_writing(session: orm.Session, *, address: Address, now: datetime) -> CustomerState:
    """Create or touch the customer a message comes from: channel, last inbound."""
    found = touch_customer(session, address=address, now=now)
    return CustomerState(*found, was_opted_out=found.opted_out)


def save_opt_out(session: orm.Session, customer: CustomerState, *, now: datetime) -> None:
    """Write the customer's opt-out back when this message changed it (STOP, START)."""
    if customer.opted_out != customer.was_opted_out:
        values = {"customer_id": customer.id, "opted_out": customer.opted_out, "updated_at": now}
        session.execute(_SAVE_OPT_OUT, values)


def save_exchange(
    session: orm.Session, conversation: ConversationState, messages: list[dict[str, Any]]
) -> None:
    """Write the conversation's step, data and misses back and add the exchange's transcript
    rows (the message in, our reply out): one statement on PostgreSQL, a round trip saved.

    Raises AlreadyRecorded when the MessageSid was recorded before; the transaction is then
    unusable (PostgreSQL) and must be rolled back.
    """
    values = _saved_values(conversation)
    try:
        if backend(session) == "postgresql":
            for number, message in enumerate(messages):
                values |= {f"{name}_{number}": value for name, value in message.items()}
            session.execute(_saved_and_recorded(len(messages)), values)
        else:
            session.execute(_SAVE_CONVERSATION, values)
            session.execute(_RECORD, messages)
    except sa.exc.IntegrityError as exc:
        raise AlreadyRecorded(str(exc.orig)) from exc


def _saved_values(conversation: ConversationState) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "step": conversation.step,
        "data": conversation.data,
        "misses": conversation.misses,
        "updated_at": conversation.updated_at,
    }


@functools.cache
def _saved_and_recorded(rows: int) -> sa.Insert:
    # WITH saved AS (UPDATE conversations ...) INSERT INTO chat_messages SELECT ... UNION ALL
    # SELECT ...: PostgreSQL runs a data-modifying WITH whether or not the INSERT refers to it.
    # SELECTs, not a multi-row VALUES: SQLAlchemy compiles that anew on every execution.
    columns = [column for column in _MESSAGES.c if not column.primary_key]
    selects = [
        sa.select(*(sa.bindparam(f"{column.name}_{n}", type_=column.type) for column in columns))
        for n in range(rows)
    ]
    source = selects[0] if rows == 1 else sa.union_all(*selects)
    insert = sa.insert(_MESSAGES).from_select([column.name for column in columns], source)
    return insert.add_cte(_SAVE_CONVERSATION.cte("saved"))
