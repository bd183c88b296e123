"""Handle one inbound chat message: record it, once, in order per address, and answer it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cloudcity.chat import engine, matching, photos, talk, wording, writing
from cloudcity.chat.engine import Turn
from cloudcity.config import Settings
from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.values import TranscriptLine
from cloudcity.handoff import bot_is_quiet
from cloudcity.order_text import INSCRIPTION_LIMIT
from cloudcity.origins import TWILIO_MEDIA_HOSTS, parse_origins
from cloudcity.phones import PhoneError, parse_address
from cloudcity.photos import Media
from cloudcity.text import clean

INBOUND = "in"
OUTBOUND = "out"
# WhatsApp's longest message (SMS stops at 1,600): anything longer is not from Twilio.
MAX_BODY = 4096
FIELD_MAX = 200
# Twilio's SIDs are two letters and 32 hex digits; we keep anything that fits the column.
SID = re.compile(r"[A-Za-z0-9]{2,64}")
MAX_MEDIA = 10  # Twilio delivers at most 10 attachments with one message
MEDIA_URL_MAX = 1000
# The transcript's mark for what came with the words (staff read it in the inbox).
PICTURE_LINE = "(picture)"
ATTACHMENT_LINE = "(attachment)"  # a voice note, a document: nothing we keep
# Where a picture's caption that answers nothing becomes the note: not at the inscription,
# where words that can't be piped are refused and asked for again.
NOTED_CAPTION_STEPS = engine.NOTE_STEPS - {engine.START, writing.INSCRIPTION}


@dataclass(frozen=True)
class Inbound:
    """One message as Twilio's Messaging webhook describes it."""

    from_address: str
    to_address: str
    body: str
    message_sid: str | None
    num_media: int = 0
    profile_name: str | None = None
    media: tuple[Media, ...] = ()


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
        media=_media(form, num_media),
    )


def _media(form: Mapping[str, str], num_media: int) -> tuple[Media, ...]:
    """The attachments Twilio lists (MediaUrlN, MediaContentTypeN); unusable URLs are dropped."""
    found = []
    for index in range(min(num_media, MAX_MEDIA)):
        url = clean(form.get(f"MediaUrl{index}", "")).strip()
        if url and len(url) <= MEDIA_URL_MAX:
            content_type = _text(form.get(f"MediaContentType{index}", ""), FIELD_MAX) or None
            found.append(Media(url=url, content_type=content_type))
    return tuple(found)


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
    inscription_max_chars: int = INSCRIPTION_LIMIT  # the most characters piped on a cake
    photo_origins: tuple[str, ...] = parse_origins(TWILIO_MEDIA_HOSTS)
    # Customers may cancel or move their own order by chat until this long before pickup.
    self_service_cutoff: timedelta = timedelta(hours=24)

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
            settings.inscription_max_chars,
            settings.photo_origins,
            timedelta(hours=settings.self_service_cutoff_hours),
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
        inscription_max_chars=policy.inscription_max_chars,
        self_service_cutoff=policy.self_service_cutoff,
    )
    text = _answer(turn, inbound, policy=policy)
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
    body = _transcript_body(inbound)
    received = _transcript_line(turn, body, INBOUND, inbound.message_sid, reply=text or "")
    sent = [_transcript_line(turn, text, OUTBOUND)] if text else []
    turn.uow.conversations.save_exchange(turn.conversation, [received, *sent])


def _transcript_body(inbound: Inbound) -> str:
    """The words as sent, after a mark when a picture or another attachment came with them."""
    if not inbound.media:
        return inbound.body
    mark = PICTURE_LINE if any(item.is_image for item in inbound.media) else ATTACHMENT_LINE
    return f"{mark} {inbound.body}" if inbound.body.strip() else mark


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


def _answer(turn: Turn, inbound: Inbound, *, policy: ChatPolicy) -> str | None:
    """Opt-out first, then a person's turn, then expiry, then media, then the step."""
    customer, conversation = turn.customer, turn.conversation
    quiet = bot_is_quiet(conversation, now=turn.now, quiet=policy.handoff_quiet)
    if customer.opted_out:
        if not matching.is_opt_in(inbound.body):
            return None  # never message an opted-out customer until they opt back in
        customer.opted_out = False
        return None if quiet else engine.begin(turn, f"{wording.OPTED_IN}\n" + _hello(turn))
    if matching.keyword(inbound.body) is matching.Keyword.OPT_OUT:
        customer.opted_out = True
        engine.reset(turn)
        return None
    if quiet:
        # Staff have this conversation: the message waits for them in the inbox, and its
        # pictures are fetched as always (an order placed later still takes them).
        if inbound.media:
            photos.keep(turn, inbound.media, origins=policy.photo_origins)
        return None
    resumed = talk.resume(turn)
    note = f"{resumed}\n" if resumed else ""
    if conversation.step != engine.START and conversation.updated_at + policy.timeout < turn.now:
        talk.expire(turn)  # a slot still held is given back
        note += wording.EXPIRED + "\n"
    return note + _respond(turn, inbound, policy)


def _respond(turn: Turn, inbound: Inbound, policy: ChatPolicy) -> str:
    """The reply to the message's words and pictures; words with pictures are an answer too."""
    if not inbound.body.strip():
        if inbound.media:
            hello = _hello(turn)
            return photos.on_media(turn, inbound.media, origins=policy.photo_origins, hello=hello)
        return _not_text(turn)
    if not inbound.media:
        return talk.respond(turn, inbound.body)
    if turn.conversation.step == engine.START:
        # The caption decides first (it may begin an order, or answer an offer); the pictures
        # then go with whatever it began.
        answer = talk.respond(turn, inbound.body)
        return f"{_keep(turn, inbound, policy)}\n{answer}"
    # Mid-order the pictures are kept first: a caption that places the order takes them along.
    said = _keep(turn, inbound, policy)
    return f"{said}\n{_caption(turn, inbound.body)}"


def _caption(turn: Turn, caption: str) -> str:
    """Words sent with a picture mid-order: the step's answer, else a note for the baker.

    "Like this one, in blue" is no size, but it is what the baker should read beside the
    picture: kept as the note, not met with "Sorry, I didn't catch that".
    """
    conversation = turn.conversation
    step, misses = conversation.step, conversation.misses
    answer = talk.respond(turn, caption)
    missed = conversation.step == step and conversation.misses > misses
    if not missed or step not in NOTED_CAPTION_STEPS or writing.is_nothing(caption):
        return answer
    conversation.misses = misses
    return f"{writing.add_note(turn, caption.strip())}\n{engine.prompt(turn)}"


def _keep(turn: Turn, inbound: Inbound, policy: ChatPolicy) -> str:
    # Resting with staff, the pictures are for them: no "order a cake" in the acknowledgement.
    resting = engine.is_resting(turn) and turn.conversation.handoff_at is None
    return photos.keep(turn, inbound.media, origins=policy.photo_origins, resting=resting)


def _not_text(turn: Turn) -> str:
    """An empty message, or attachments we could not read: say so, and ask again."""
    if engine.is_resting(turn):  # after an order: a sticker or a voice note orders nothing
        return f"{wording.NOT_TEXT}\n{photos.offer_choices(turn)}"
    if turn.conversation.step == engine.START:
        return engine.begin(turn, f"{wording.NOT_TEXT}\n" + _hello(turn))
    return f"{wording.NOT_TEXT}\n{engine.prompt(turn)}"


def _hello(turn: Turn) -> str:
    return wording.greeting(shop_name=turn.shop_name, name=turn.customer.name)
