"""Conversations and their transcript: what one chat message reads and writes.

Every inbound message runs this; plain statements built once cost a fraction of the ORM's
load-and-flush for the same rows.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, insert_ignore, lock_for_update
from cloudcity.db.models import ChatMessage, Conversation
from cloudcity.db.repositories.menu import menu_version
from cloudcity.db.repositories.values import (
    AlreadyRecorded,
    ConversationState,
    Earlier,
    TranscriptLine,
)

_CONVERSATIONS = table_of(Conversation)
_MESSAGES = table_of(ChatMessage)
_BY_ADDRESS = sa.select(
    _CONVERSATIONS.c.id,
    _CONVERSATIONS.c.step,
    _CONVERSATIONS.c.data,
    _CONVERSATIONS.c.misses,
    _CONVERSATIONS.c.updated_at,
    _CONVERSATIONS.c.handoff_at,
    _CONVERSATIONS.c.handoff_reason,
    _CONVERSATIONS.c.staff_reply_at,
).where(_CONVERSATIONS.c.address == sa.bindparam("address", type_=sa.String))
_SAVE_CONVERSATION = (
    sa.update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == sa.bindparam("conversation_id", type_=sa.Integer))
    .values(
        step=sa.bindparam("step"),
        data=sa.bindparam("data"),
        misses=sa.bindparam("misses"),
        updated_at=sa.bindparam("updated_at"),
        handoff_at=sa.bindparam("handoff_at"),
        handoff_reason=sa.bindparam("handoff_reason"),
    )
)
# Only a staff reply writes this, so a chat message saved meanwhile can't undo it.
_MARK_STAFF_REPLY = (
    sa.update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.address == sa.bindparam("to_address", type_=sa.String))
    .values(staff_reply_at=sa.bindparam("at"))
)
_EARLIER = sa.select(_MESSAGES.c.address, _MESSAGES.c.reply).where(
    _MESSAGES.c.message_sid == sa.bindparam("sid", type_=sa.String)
)
_RECORD = sa.insert(_MESSAGES)
# Newest first by (address, id): the index walks back to the address's latest inbound row.
_LAST_INBOUND = (
    sa.select(_MESSAGES.c.created_at)
    .where(
        _MESSAGES.c.address == sa.bindparam("address", type_=sa.String),
        _MESSAGES.c.direction == "in",
    )
    .order_by(_MESSAGES.c.id.desc())
    .limit(1)
)


class ConversationRepository:
    """One conversation per address, locked while a message is handled."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def locked(self, *, address: str, now: datetime) -> ConversationState:
        """The address's conversation, created if new, locked until commit (one at a time)."""
        query = _locked_by_address(backend(self._session))
        found = self._session.execute(query, {"address": address}).one_or_none()
        if found is None:  # a new conversation starts at the model's first step, with no data
            row = {"address": address, "updated_at": now, "created_at": now}
            insert_ignore(self._session, Conversation, row, unique=["address"])
            found = self._session.execute(query, {"address": address}).one()
        return ConversationState(*found)

    def earlier(self, message_sid: str | None) -> Earlier | None:
        """The message already handled under this MessageSid, when Twilio sends it again."""
        if message_sid is None:
            return None
        found = self._session.execute(_EARLIER, {"sid": message_sid}).one_or_none()
        return None if found is None else Earlier(found.address, found.reply)

    def address_of(self, conversation_id: int) -> str | None:
        """The address a conversation is with (None: there is no such conversation)."""
        query = sa.select(_CONVERSATIONS.c.address).where(_CONVERSATIONS.c.id == conversation_id)
        found: str | None = self._session.scalar(query)
        return found

    def last_inbound_at(self, address: str) -> datetime | None:
        """When the customer last wrote from this very address (None: never).

        WhatsApp's 24-hour window opens only by a message on WhatsApp: an SMS from the same
        number (`+1...` beside `whatsapp:+1...`) does not open it, so the window is per address.
        """
        found: datetime | None = self._session.scalar(_LAST_INBOUND, {"address": address})
        return found

    def record(self, line: TranscriptLine) -> None:
        """Add one line to the transcript (a baker's message; the chat's go by save_exchange)."""
        self._session.execute(_RECORD, [dict(vars(line))])

    def save(self, conversation: ConversationState) -> None:
        """Write the conversation back without a transcript line (a change made by staff)."""
        self._session.execute(_SAVE_CONVERSATION, _saved_values(conversation))

    def mark_staff_reply(self, *, address: str, now: datetime) -> None:
        """Note that staff answered this address now (the bot stays quiet a while longer)."""
        self._session.execute(_MARK_STAFF_REPLY, {"to_address": address, "at": now})

    def save_exchange(self, conversation: ConversationState, lines: list[TranscriptLine]) -> None:
        """Write the conversation back and add the exchange's transcript lines (in, out).

        One statement on PostgreSQL, a round trip saved. Raises AlreadyRecorded when the
        MessageSid was recorded before; the transaction must then be rolled back.
        """
        values = _saved_values(conversation)
        rows = [dict(vars(line)) for line in lines]  # asdict deep-copies: a tenth of a message
        try:
            if backend(self._session) == "postgresql":
                for number, row in enumerate(rows):
                    values |= {f"{name}_{number}": value for name, value in row.items()}
                self._session.execute(_saved_and_recorded(len(rows)), values)
            else:
                self._session.execute(_SAVE_CONVERSATION, values)
                self._session.execute(_RECORD, rows)
        except sa.exc.IntegrityError as exc:
            raise AlreadyRecorded(str(exc.orig)) from exc


@functools.cache
def _locked_by_address(backend_name: str) -> sa.Select[Any]:
    # FOR UPDATE locks the conversation row alone, not the menu. After waiting for the lock,
    # PostgreSQL re-reads the locked row but not the menu's version: that stays as it was a
    # moment before, as if the message had come a moment earlier (orders are priced afresh
    # when placed).
    query = _BY_ADDRESS.add_columns(menu_version(backend_name).label("menu_version"))
    return lock_for_update(query, backend_name)


def _saved_values(conversation: ConversationState) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "step": conversation.step,
        "data": conversation.data,
        "misses": conversation.misses,
        "updated_at": conversation.updated_at,
        "handoff_at": conversation.handoff_at,
        "handoff_reason": conversation.handoff_reason,
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
