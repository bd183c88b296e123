"""What an order's invoice and receipt show: an Order and the shop turned into InvoiceData."""

from __future__ import annotations

from dataclasses import replace

from cloudcity.allergens import decode
from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import booked_slot
from cloudcity.config import Settings
from cloudcity.db.models import Order
from cloudcity.documents import InvoiceData, ShopInfo
from cloudcity.documents.data import PriceLine
from cloudcity.phones import region_of


def shop_info(settings: Settings, rules: CalendarRules) -> ShopInfo:
    """The shop as its documents name it, on its own clock (the calendar's zone and locale)."""
    return ShopInfo(
        name=settings.shop_name,
        address=settings.shop_address,
        email=settings.shop_email,
        phone=settings.shop_phone,
        time_zone=rules.tz,
        locale=rules.locale,
        # The country the calendar offers public holidays for: the shop phone's.
        country=region_of(settings.shop_phone),
    )


def invoice_data(
    order: Order, shop: ShopInfo, *, rules: CalendarRules, email: str | None = None
) -> InvoiceData:
    """The invoice of an order, billed to its customer (at `email` when given)."""
    customer = order.customer
    slot = None if order.pickup_at is None else booked_slot(rules, order.pickup_at)
    data = InvoiceData(
        order_id=order.id,
        placed_at=order.placed_at,
        customer_name=customer.name or "",
        customer_email=customer.email or "",
        customer_phone=customer.phone,
        size=order.size,
        flavour=order.flavour,
        frosting=order.frosting,
        topping=order.topping,
        price_cents=order.price_cents,
        currency=order.currency,
        shop=shop,
        pickup_start=None if slot is None else slot.start,
        pickup_end=None if slot is None else slot.end,
        lines=price_lines(order),
        allergens=None if order.allergens is None else decode(order.allergens),
        may_contain=order.may_contain or "",
        inscription=customer_words(order.inscription),
        note=customer_words(order.note),
    )
    return replace(data, customer_email=email) if email else data


def price_lines(order: Order) -> tuple[PriceLine, ...]:
    """What each choice cost when the order was placed; () for orders placed before that."""
    parts = (
        ("Size", order.size, order.size_cents),
        ("Flavour", order.flavour, order.flavour_cents),
        ("Frosting", order.frosting, order.frosting_cents),
        ("Topping", order.topping, order.topping_cents),
    )
    if any(cents is None for _label, _choice, cents in parts):
        return ()
    return tuple(PriceLine(label, choice, cents or 0) for label, choice, cents in parts)


def customer_words(written: str | None) -> str | None:
    """What the customer wrote (an inscription, a note), or None when it is blank."""
    return written if written and written.strip() else None
