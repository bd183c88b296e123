"""The JSON API's shapes, one per direction; the OpenAPI document is generated from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from cloudcity.allergens import Allergen
from cloudcity.order_text import INSCRIPTION_LIMIT, INSCRIPTION_MAX_LIMIT, NOTE_MAX
from cloudcity.text import clean_line


def _one_line(value: object) -> object:
    return clean_line(value) if isinstance(value, str) else value


# Control characters are removed before any length is checked (see cloudcity.text).
OneLine = BeforeValidator(_one_line)
Name = Annotated[
    str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Choice = Annotated[
    str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)
]
Phone = Annotated[
    str, OneLine, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)
]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
Key = Annotated[
    str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
# Checked in full (the shop's limit, what can be piped) by cloudcity.order_text, as in the chat.
Inscription = Annotated[str, StringConstraints(max_length=INSCRIPTION_MAX_LIMIT)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class CustomerIn(_In):
    """Who orders: a phone number (`whatsapp:+1...` or `+1...`), a name and an email."""

    number: Phone
    name: Name
    email: Email


class CakeIn(_In):
    """The four choices, by name as the menu shows them (case and spaces don't matter)."""

    size: Choice
    flavour: Choice = Field(validation_alias=AliasChoices("flavour", "flavor"))
    frosting: Choice
    topping: Choice


class OrderCakeIn(CakeIn):
    """The cake of an order: the four choices and what to write on it."""

    inscription: Inscription | None = Field(
        default=None,
        description=(
            "what to pipe on the cake: letters of any language, digits, punctuation and "
            f"spaces, up to the shop's limit ({INSCRIPTION_LIMIT} characters unless set "
            "otherwise); no emoji. "
            "Blank or absent: nothing written"
        ),
    )


class OrderCreate(_In):
    """A new order; `price`, when sent, must equal the server's price."""

    customer: CustomerIn
    cake: OrderCakeIn
    price: Decimal | None = Field(default=None, description="number or numeric string")
    idempotency_key: Key | None = None
    pickup_at: Annotated[str | None, StringConstraints(min_length=1, max_length=40)] = Field(
        default=None,
        description="ISO 8601 with offset, or a slot id from /api/pickup-slots; none: to arrange",
    )
    note: Note | None = Field(
        default=None, description="for the bakers, e.g. an allergy; blank or absent: none"
    )


class CakePublic(BaseModel):
    """The cake as ordered, in the menu's spelling."""

    size: str
    flavour: str
    frosting: str
    topping: str


class OrderCakePublic(CakePublic):
    """The cake as ordered, with what is written on it (null: nothing)."""

    inscription: str | None = None


class OrderPublic(BaseModel):
    """What the API answers for a placed order."""

    order_id: int
    order_date: str = Field(description="ISO 8601, UTC")
    email: str
    price: float = Field(description="in the shop's currency")
    currency: str
    status: str
    cake: OrderCakePublic
    pickup_at: str | None = Field(default=None, description="ISO 8601, the shop's time zone")
    note: str | None = Field(default=None, description="the customer's note for the bakers")


class PickupSlot(BaseModel):
    """A pickup slot with room left."""

    id: str = Field(description="the slot's start in UTC; send it as pickup_at")
    start: str = Field(description="ISO 8601 in the shop's time zone")
    end: str
    places_left: int
    label: str


class PickupSlots(BaseModel):
    """Free pickup slots, in the shop's time zone."""

    time_zone: str
    slots: list[PickupSlot]


class PriceLine(BaseModel):
    """One part of a price."""

    kind: str
    name: str
    price: float


class PriceQuote(BaseModel):
    """A cake's price with its breakdown."""

    total: float
    total_cents: int
    currency: str
    breakdown: list[PriceLine]
    cake: CakePublic


class Menu(BaseModel):
    """What can be ordered now, by kind (names only)."""

    size: list[str]
    flavour: list[str]
    frosting: list[str]
    topping: list[str]


class MenuOptionPublic(BaseModel):
    """One orderable option with its price and what it contains."""

    key: str = Field(description="the option's matching key (lower case)")
    name: str
    price_cents: int = Field(ge=0)
    price: str = Field(description="the price as the shop writes it, e.g. $3.50")
    allergens: list[Allergen] = Field(description="which of the 14 EU/UK allergens it contains")
    may_contain: str = Field(description="a free note of traces it may contain ('' for none)")


class MenuPublic(BaseModel):
    """What can be ordered now, by kind, with prices and allergens."""

    currency: str
    size: list[MenuOptionPublic]
    flavour: list[MenuOptionPublic]
    frosting: list[MenuOptionPublic]
    topping: list[MenuOptionPublic]


class ErrorDetail(BaseModel):
    """One problem with a request."""

    field: str
    message: str


class ErrorPublic(BaseModel):
    """Every 4xx/5xx answer of the JSON API."""

    error: str
    details: list[ErrorDetail]
