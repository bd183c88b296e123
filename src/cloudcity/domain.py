"""The bakery's own values: what a cake is, where an order is, how a customer is reached.

Plain Python, importing nothing from the database layer, so pricing, the chat's wording and
the documents can use them without the ORM.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.allergens import Allergen

WHATSAPP_PREFIX = "whatsapp:"
# WhatsApp accepts free-form text only within 24 hours of the customer's last message to us.
WHATSAPP_WINDOW = timedelta(hours=24)


class OptionKind(enum.StrEnum):
    """The four choices that make a cake."""

    SIZE = "size"
    FLAVOUR = "flavour"
    FROSTING = "frosting"
    TOPPING = "topping"


class Channel(enum.StrEnum):
    """How a customer reached us."""

    WHATSAPP = "whatsapp"
    SMS = "sms"


class OrderStatus(enum.StrEnum):
    """Where an order is in its life."""

    PLACED = "placed"
    READY = "ready"
    PICKED_UP = "picked_up"
    CANCELLED = "cancelled"


def twilio_address(phone: str, channel: Channel) -> str:
    """A number as Twilio writes it in `To`/`From`: `whatsapp:+1...` or `+1...`."""
    return WHATSAPP_PREFIX + phone if channel is Channel.WHATSAPP else phone


def is_whatsapp(address: str) -> bool:
    """True for a Twilio address on WhatsApp (`whatsapp:+1...`), in any case."""
    return address[: len(WHATSAPP_PREFIX)].lower() == WHATSAPP_PREFIX


def window_closes(last_inbound_at: datetime | None) -> datetime | None:
    """When WhatsApp's customer-service window closes (None: the customer never wrote)."""
    return None if last_inbound_at is None else last_inbound_at + WHATSAPP_WINDOW


def in_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while free text may be sent on WhatsApp: within 24 hours of the last inbound."""
    closes = window_closes(last_inbound_at)
    return closes is not None and now < closes


def whatsapp_address(number: str) -> str:
    """`number` as a WhatsApp address, whether or not it already is one."""
    return number if is_whatsapp(number) else WHATSAPP_PREFIX + number


@dataclass(frozen=True)
class Address:
    """A customer's number in E.164 form and the channel it came from."""

    phone: str
    channel: Channel

    @property
    def twilio(self) -> str:
        """The address as Twilio expects it in `To`/`From`."""
        return twilio_address(self.phone, self.channel)


@dataclass(frozen=True)
class Cake:
    """The four choices, as the customer wrote them."""

    size: str
    flavour: str
    frosting: str
    topping: str

    def choice(self, kind: OptionKind) -> str:
        """What was chosen for one kind."""
        return str(getattr(self, kind.value))

    def choices(self) -> dict[OptionKind, str]:
        """What was chosen, by kind."""
        return {kind: self.choice(kind) for kind in OptionKind}


@dataclass(frozen=True)
class MenuItem:
    """A menu option as read for display and pricing (a plain value, not a tracked row)."""

    id: int
    kind: OptionKind
    name: str
    price_cents: int
    active: bool
    allergens: tuple[Allergen, ...] = ()
    may_contain: str = ""  # a free note: "traces of nuts"
