"""Handle one inbound chat message: record it, once, in order per address, and answer it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cloudcity.chat import engine, matching, wording
from cloudcity.chat.engine import Turn
from cloudcity.config import Settings
from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.values import TranscriptLine
from cloudcity.phones import PhoneError, parse_address
from cloudcity.text import clean

INBOUND = "in"
OUTBOUND = "out"
# WhatsApp's longest message (SMS stops at 1,600): anything longer is not from Twilio.
MAX_BODY = 4096
FIELD_MAX = 200
# Twilio's SIDs are two letters and 32 hex digits; we keep anything that fits the column.
SID = re.compile(r"[A-Za-z0-9]{2,64}")


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
    return clean(value)[:limit]


@dataclass(frozen=True)
class ChatPolicy:
    """What the conversation needs to know about the shop."""

    shop_name: str
    currency: str
    timeout: timedelta
    reminder_hour: int
    hold_minutes: int = 15  # how long a chosen pickup slot is kept while the order is finished
    handoff_quiet: timedelta = timedelta(hours=4)  # the bot's silence after a handoff

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatPolicy:
        """The policy the settings describe."""
        timeout = timedelta(minutes=settings.conversation_timeout_minutes)
        return cls(
            settings.shop_name,
            settings.currency,
            timeout,
            settings.reminder_hour,
            settings.pickup_hold_minutes,
            timedelta(minutes=settings.handoff_quiet_minutes),
        )


def handle_inbound(
    *, uow: UnitOfWork, inbound: Inbound, policy: ChatPolicy, now: datetime
) -> Reply:
    """Answer one inbound message in the caller's unit of work.

    A MessageSid handled before raises `AlreadyRecorded` when the exchange is written: the
    caller rolls everything back and answers with `replay` in a new unit of work. Retries
    are rare, so the usual message pays no query to look for them.
    """
    try:
        address = parse_address(inbound.from_address)
    except PhoneError:
        return Reply(wording.UNREADABLE_ADDRESS)
    # Lock first, read the customer after: a message that waited for the lock must see what
    # the one before it committed (a STOP, a name and email).
    conversation = uow.conversations.locked(address=address.twilio, now=now)
    customer = uow.customers.touch(address=address, now=now)
    turn = Turn(
        uow=uow,
        customer=customer,
        conversation=conversation,
        address=address,
        message_sid=inbound.message_sid,
        currency=policy.currency,
        shop_name=policy.shop_name,
        reminder_hour=policy.reminder_hour,
        now=now,
        hold_minutes=policy.hold_minutes,
    )
    text = _answer(turn, inbound, timeout=policy.timeout)
    _save(turn, inbound, text)
    return Reply(text, order_id=turn.order_id)


def replay(*, uow: UnitOfWork, inbound: Inbound, policy: ChatPolicy, now: datetime) -> Reply:
    """After `AlreadyRecorded` and a rollback: the reply given the first time.

    A MessageSid first used by another sender never replays their reply: the message is
    answered as one without a MessageSid.
    """
    earlier = uow.conversations.earlier(inbound.message_sid)
    address = parse_address(inbound.from_address)  # it parsed before it could be recorded
    if earlier is not None and earlier.address == address.twilio:
        return Reply(earlier.reply or None, replayed=True)
    anonymous = replace(inbound, message_sid=None)
    return handle_inbound(uow=uow, inbound=anonymous, policy=policy, now=now)


def _save(turn: Turn, inbound: Inbound, text: str | None) -> None:
    """Write back what the message changed, and the exchange for the transcript."""
    turn.conversation.updated_at = turn.now
    turn.uow.customers.save_opt_out(turn.customer, now=turn.now)
    received = _transcript_line(turn, inbound.body, INBOUND, inbound.message_sid, reply=text or "")
    sent = [_transcript_line(turn, text, OUTBOUND)] if text else []
    turn.uow.conversations.save_exchange(turn.conversation, [received, *sent])


def _transcript_line(
    turn: Turn, body: str, direction: str, message_sid: str | None = None, reply: str | None = None
) -> TranscriptLine:
    return TranscriptLine(
        address=turn.address.twilio,
        customer_id=turn.customer.id,
        direction=direction,
        body=body,
        created_at=turn.now,
        message_sid=message_sid,
        reply=reply,
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
        engine.reset(turn)
        return None
    note = ""
    if conversation.step != engine.START and conversation.updated_at + timeout < turn.now:
        engine.reset(turn)  # a slot still held is given back
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
