"""The plain values repositories return for hot paths, where tracked rows would cost more."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudcity.allergens import Allergen
from cloudcity.domain import Cake, OptionKind, OrderStatus


@dataclass
class CustomerState:
    """The customer writing in or ordering, as the chat and orders need them."""

    id: int
    name: str | None
    email: str | None
    opted_out: bool
    was_opted_out: bool = field(default=False, repr=False)


@dataclass
class ConversationState:
    """Where a conversation is: its step, what was chosen so far, and how many misses."""

    id: int
    step: str
    data: dict[str, Any]
    misses: int
    updated_at: datetime
    handoff_at: datetime | None = None  # with staff since then; None while the bot talks
    handoff_reason: str | None = None
    staff_reply_at: datetime | None = None
    # The menu's version as of the lock: comes free with it, and saves reading a menu this
    # process already holds.
    menu_version: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TranscriptLine:
    """One message in or out of a chat, for the transcript."""

    address: str
    customer_id: int | None
    direction: str
    body: str
    created_at: datetime
    message_sid: str | None = None
    reply: str | None = None
    author: str | None = None  # the baker who wrote it; None for the customer and the bot
    outbox_id: int | None = None


@dataclass(frozen=True)
class Earlier:
    """An inbound message already answered: who sent it and what we replied."""

    address: str
    reply: str | None


@dataclass(frozen=True)
class PlacedOrder:
    """An order as it was placed: what the API answers and the chat confirms."""

    id: int
    placed_at: datetime
    email: str
    cake: Cake
    price_cents: int
    currency: str
    status: OrderStatus
    pickup_at: datetime | None = None
    inscription: str | None = None
    note: str | None = None
    request_fingerprint: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class OpenOrder:
    """A customer's order not yet picked up or cancelled, as the chat lists it."""

    id: int
    size: str
    flavour: str
    status: OrderStatus
    pickup_at: datetime | None


@dataclass(frozen=True)
class NewOrder:
    """The row of an order about to be placed, priced by the server."""

    customer_id: int
    cake: Cake
    price_cents: int
    currency: str
    source: str
    idempotency_key: str | None
    request_fingerprint: str | None
    placed_at: datetime
    pickup_at: datetime | None = None
    # What each choice cost (by kind) and what the cake contains, as quoted when placed.
    line_cents: Mapping[OptionKind, int] | None = None
    allergens: tuple[Allergen, ...] = ()
    may_contain: str = ""
    inscription: str | None = None
    note: str | None = None


class AlreadyRecorded(Exception):
    """The message's MessageSid is in the transcript already: Twilio sent it again."""


@dataclass(frozen=True)
class Claimed:
    """A message leased to one worker: a plain copy, usable after the claim's session closed."""

    id: int
    kind: str
    idempotency_key: str
    recipient: str
    payload: dict[str, Any]
    order_id: int | None
    attempts: int
    locked_until: datetime
    # When an earlier send began whose outcome nobody recorded (its worker died mid-call).
    in_doubt_since: datetime | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Photo:
    """A reference photo a customer sent: where it came from and what became of it."""

    id: int
    address: str
    order_id: int | None
    media_url: str
    content_type: str | None
    status: str
    stored_path: str | None
    size_bytes: int | None
    error: str | None
    created_at: datetime
