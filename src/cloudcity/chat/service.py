"""Handle one inbound chat message: record it, once, in order per address, and answer it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.chat import engine, matching, wording
from cloudcity.chat.engine import Turn
from cloudcity.config import Settings
from cloudcity.customers import customer_for
from cloudcity.db.dialect import insert_ignore, lock_for_update
from cloudcity.db.models import ChatMessage, Conversation, Customer
from cloudcity.phones import Address, PhoneError, parse_address

INBOUND = "in"
OUTBOUND = "out"
# WhatsApp's longest message (SMS stops at 1,600): anything longer is not from Twilio.
MAX_BODY = 4096
FIELD_MAX = 200
# Twilio's SIDs are two letters and 32 hex digits; we keep anything that fits the column.
SID = re.compile(r"[A-Za-z0-9]{2,64}")
# PostgreSQL text cannot hold NUL, and no other C0 control but tab and newline means anything.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Inbound:
    """One message as Twilio's Messaging webhook describes it."""

    from_address: str
    to_address: str
    body: str
    message_sid: str | None
    num_media: int = 0
    profile_name: str | None = None


@dataclass(frozen=True)
class Reply:
    """What to answer: a text, or None for nothing (an opted-out customer)."""

    text: str | None
    replayed: bool = False
    order_id: int | None = None


def inbound_from_form(form: Mapping[str, str]) -> Inbound:
    """Read Twilio's webhook fields (From, To, Body, MessageSid, NumMedia...); ignore the rest.

    Whatever a client sends becomes something the engine can answer: control characters go,
    the body is cut at WhatsApp's longest message, and a MessageSid that cannot be Twilio's is
    dropped (the message is still answered, only without retry detection).
    """
    try:
        num_media = max(0, int(form.get("NumMedia") or 0))
    except ValueError:
        num_media = 0
    sid = _text(form.get("MessageSid") or form.get("SmsMessageSid") or "", FIELD_MAX)
    return Inbound(
        from_address=_text(form.get("From", ""), FIELD_MAX),
        to_address=_text(form.get("To", ""), FIELD_MAX),
        body=_text(form.get("Body", ""), MAX_BODY),
        message_sid=sid if SID.fullmatch(sid) else None,
        num_media=num_media,
        profile_name=_text(form.get("ProfileName", ""), FIELD_MAX) or None,
    )


def _text(value: str, limit: int) -> str:
    return CONTROL.sub("", value)[:limit]


def handle_inbound(
    session: orm.Session, *, inbound: Inbound, settings: Settings, now: datetime
) -> Reply:
    """Answer one inbound message in the caller's unit of work; a repeated MessageSid replays."""
    try:
        address = parse_address(inbound.from_address)
    except PhoneError:
        return Reply(wording.UNREADABLE_ADDRESS)
    # Lock first, read the customer after: a message that waited for the lock must see what
    # the one before it committed (a STOP, a name and email).
    conversation = locked_conversation(session, address=address.twilio, now=now)
    customer = customer_for(session, address)
    earlier = _earlier(session, inbound.message_sid)
    if earlier is not None and earlier.address == address.twilio:
        return Reply(earlier.reply or None, replayed=True)
    if earlier is not None:  # another sender's MessageSid: never replay their reply
        inbound = replace(inbound, message_sid=None)
    customer.last_inbound_at = now
    customer.channel = address.channel
    turn = Turn(
        session=session,
        customer=customer,
        conversation=conversation,
        address=address,
        message_sid=inbound.message_sid,
        currency=settings.currency,
        shop_name=settings.shop_name,
        now=now,
    )
    timeout = timedelta(minutes=settings.conversation_timeout_minutes)
    with session.no_autoflush:  # one flush at commit, not one per query the turn makes
        text = _answer(turn, inbound, timeout=timeout)
    conversation.updated_at = now
    _record(session, address, customer, inbound.body, inbound.message_sid, now, reply=text or "")
    if text:
        _record(session, address, customer, text, None, now, direction=OUTBOUND)
    return Reply(text, order_id=turn.order_id)


def locked_conversation(session: orm.Session, *, address: str, now: datetime) -> Conversation:
    """The address's conversation, created if new, locked until commit (one message at a time)."""
    query = sa.select(Conversation).where(Conversation.address == address)
    query = lock_for_update(query, session).execution_options(populate_existing=True)
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    insert_ignore(
        session,
        Conversation,
        {
            "address": address,
            "step": engine.START,
            "data": {},
            "misses": 0,
            "updated_at": now,
            "created_at": now,
        },
        unique=["address"],
    )
    return session.scalars(query).one()


def _earlier(session: orm.Session, message_sid: str | None) -> ChatMessage | None:
    if message_sid is None:
        return None
    query = sa.select(ChatMessage).where(ChatMessage.message_sid == message_sid)
    return session.scalars(query).one_or_none()


def _record(
    session: orm.Session,
    address: Address,
    customer: Customer,
    body: str,
    message_sid: str | None,
    now: datetime,
    *,
    direction: str = INBOUND,
    reply: str | None = None,
) -> None:
    session.add(
        ChatMessage(
            address=address.twilio,
            customer_id=customer.id,
            direction=direction,
            body=body,
            message_sid=message_sid,
            reply=reply,
            created_at=now,
        )
    )


def _answer(turn: Turn, inbound: Inbound, *, timeout: timedelta) -> str | None:
    """Opt-out first, then expiry, then media, then the conversation's step."""
    customer, conversation = turn.customer, turn.conversation
    if customer.opted_out:
        if not matching.is_opt_in(inbound.body):
            return None  # never message an opted-out customer until they opt back in
        customer.opted_out = False
        return engine.begin(turn, f"{wording.OPTED_IN}\n" + _hello(turn))
    if matching.keyword(inbound.body) is matching.Keyword.OPT_OUT:
        customer.opted_out = True
        engine.reset(conversation)
        return None
    note = ""
    if conversation.step != engine.START and conversation.updated_at + timeout < turn.now:
        engine.reset(conversation)
        note = wording.EXPIRED + "\n"
    return note + _respond(turn, inbound)


def _respond(turn: Turn, inbound: Inbound) -> str:
    if inbound.num_media > 0 or not inbound.body.strip():
        if turn.conversation.step == engine.START:
            return engine.begin(turn, f"{wording.NOT_TEXT}\n" + _hello(turn))
        return f"{wording.NOT_TEXT}\n{engine.prompt(turn)}"
    return engine.respond(turn, inbound.body)


def _hello(turn: Turn) -> str:
    return wording.greeting(shop_name=turn.shop_name, name=turn.customer.name)
