"""The staff inbox's use cases: a baker writes to a customer from their conversation.

A message is recorded in the transcript and enqueued in the outbox in the caller's unit of
work. WhatsApp takes free text only within 24 hours of the customer's last message; outside
that window only the approved "please write back" template may go (SMS has no window). The
window is the conversation's own: only a message on WhatsApp opens it, not an SMS from the
same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudcity import handoff
from cloudcity.db import UnitOfWork
from cloudcity.db.models import Customer
from cloudcity.db.repositories.values import TranscriptLine
from cloudcity.domain import Address, Channel, in_window
from cloudcity.outbox.queue import STAFF_MESSAGE
from cloudcity.outbox.staff import REPLY_SETTING, reply_template
from cloudcity.phones import parse_address

OUTBOUND = "out"
TOOK_OVER = "staff took over"
REPLIED = "staff replied"
MAX_MESSAGE = 1600  # the longest text Twilio delivers as one SMS; WhatsApp allows more


class ConversationNotFound(LookupError):
    """No conversation has this id."""


class MessageRefused(ValueError):
    """A staff message that cannot be sent as asked; the text says why and what to do."""


@dataclass(frozen=True)
class StaffMessage:
    """What a baker sends: free text, or the approved template (then `text` is ignored).

    `form_key` is unique per reply form shown, so a form posted twice sends one message.
    """

    conversation_id: int
    author: str
    text: str
    form_key: str
    template: bool = False


@dataclass(frozen=True)
class TemplateSetup:
    """The shop's name and the approved template's Content SID, if one is configured."""

    shop_name: str
    content_sid: str | None


def send_staff_message(
    *, uow: UnitOfWork, message: StaffMessage, setup: TemplateSetup, now: datetime
) -> int | None:
    """Record and enqueue a baker's message; answers its outbox id (None: already sent)."""
    address = _address(uow, message.conversation_id)
    customer = uow.customers.by_phone(address.phone)
    last_inbound_at = uow.conversations.last_inbound_at(address.twilio)
    body = _body(message, address, customer, setup, last_inbound_at, now)
    outbox_id = uow.outbox.enqueue(
        kind=STAFF_MESSAGE,
        key=f"staff:conversation:{message.conversation_id}:{message.form_key}",
        recipient=address.twilio,
        payload={"body": body, "template": message.template},
        now=now,
    )
    if outbox_id is None:
        return None  # the same form again: its message is on its way already
    line = TranscriptLine(
        address=address.twilio,
        customer_id=None if customer is None else customer.id,
        direction=OUTBOUND,
        body=body,
        created_at=now,
        author=message.author,
        outbox_id=outbox_id,
    )
    uow.conversations.record(line)
    # A baker who answers has the conversation: the bot keeps quiet until it is handed back.
    handoff.hand_off(uow=uow, address=address.twilio, reason=REPLIED, now=now)
    uow.conversations.mark_staff_reply(address=address.twilio, now=now)
    return outbox_id


def take_over(*, uow: UnitOfWork, conversation_id: int, now: datetime) -> None:
    """A baker takes the conversation from the bot (it keeps its first handoff time)."""
    address = _address(uow, conversation_id)
    handoff.hand_off(uow=uow, address=address.twilio, reason=TOOK_OVER, now=now)


def hand_back(*, uow: UnitOfWork, conversation_id: int, now: datetime) -> None:
    """Give the conversation back to the bot."""
    handoff.hand_back(uow=uow, address=_address(uow, conversation_id).twilio, now=now)


def _address(uow: UnitOfWork, conversation_id: int) -> Address:
    found = uow.conversations.address_of(conversation_id)
    if found is None:
        raise ConversationNotFound(f"there is no conversation #{conversation_id}")
    return parse_address(found)


def _body(
    message: StaffMessage,
    address: Address,
    customer: Customer | None,
    setup: TemplateSetup,
    last_inbound_at: datetime | None,
    now: datetime,
) -> str:
    """The text to record and send, once the message is known to be allowed."""
    if customer is not None and customer.opted_out:
        raise MessageRefused("the customer opted out (STOP): nothing can be sent until START")
    if message.template:
        if not setup.content_sid:
            raise MessageRefused(f"no approved template is set up: set {REPLY_SETTING}")
        name = None if customer is None else customer.name
        return reply_template(customer_name=name, shop_name=setup.shop_name).text
    text = message.text.strip()
    if not text:
        raise MessageRefused("write a message first")
    if len(text) > MAX_MESSAGE:
        raise MessageRefused(f"keep the message under {MAX_MESSAGE} characters")
    if not window_open(address, last_inbound_at, now):
        raise MessageRefused(
            "the customer has not written on WhatsApp for over 24 hours (an SMS does not count), "
            "so WhatsApp only accepts the approved template: send it, and write freely once "
            "they answer"
        )
    return text


def window_open(address: Address, last_inbound_at: datetime | None, now: datetime) -> bool:
    """True when free text may be sent: always by SMS, on WhatsApp within 24 hours of the
    customer's last message on WhatsApp."""
    if address.channel is Channel.SMS:
        return True
    return in_window(last_inbound_at, now)
