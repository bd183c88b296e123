"""What a receipt and an invoice are made from: plain values, no database objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

CURRENCY_CODE = re.compile(r"[A-Z]{3}")
DAY_PATTERN = "EEEE d MMM"  # as cloudcity.calendar.display prints a slot: Saturday 14 Dec
TO_ARRANGE = "Pickup to arrange \u2014 we'll be in touch"


@dataclass(frozen=True)
class ShopInfo:
    """The bakery as it appears on a receipt or an invoice."""

    name: str
    address: str
    email: str
    phone: str
    time_zone: ZoneInfo  # every time the documents show is on the shop's clock
    locale: str = "en_US"


@dataclass(frozen=True)
class InvoiceData:
    """One order, as much of it as a receipt or an invoice shows."""

    order_id: int
    placed_at: datetime
    customer_name: str
    customer_email: str
    customer_phone: str
    size: str
    flavour: str
    frosting: str
    topping: str
    price_cents: int
    currency: str
    shop: ShopInfo
    # The pickup slot booked, as aware UTC instants; None for both: the pickup is to arrange.
    pickup_start: datetime | None = None
    pickup_end: datetime | None = None
    inscription: str | None = None  # what is piped on the cake, as the customer confirmed it
    note: str | None = None  # what the customer told the bakers (an allergy, a wish)

    def __post_init__(self) -> None:
        for name in ("placed_at", "pickup_start", "pickup_end"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() != timedelta(0):
                raise ValueError(f"{name} must be an aware UTC datetime")
        _check_pickup(self.pickup_start, self.pickup_end)
        if isinstance(self.price_cents, bool) or not isinstance(self.price_cents, int):
            raise TypeError("price_cents must be an int number of cents")
        if self.price_cents < 0:
            raise ValueError("price_cents cannot be negative")
        if not CURRENCY_CODE.fullmatch(self.currency):
            raise ValueError(f"currency must be a 3-letter code such as USD, not {self.currency!r}")


def _check_pickup(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise ValueError("give both pickup_start and pickup_end, or neither (to arrange)")
    if start is not None and end is not None and end <= start:
        raise ValueError("pickup_end must be after pickup_start")


def invoice_number(order_id: int) -> str:
    """The number printed on an invoice: order 42 is CC-000042."""
    return f"CC-{order_id:06d}"


def invoice_filename(order_id: int) -> str:
    """The attachment name of an order's invoice: cloud-city-invoice-42.pdf."""
    return f"cloud-city-invoice-{order_id}.pdf"


def issue_date(placed_at: datetime, tz: ZoneInfo) -> str:
    """The invoice's date of issue as people read it, on the shop's clock: 24 November 2025."""
    local = placed_at.astimezone(tz)
    return f"{local.day} {local:%B %Y}"


def pickup_label(data: InvoiceData) -> str:
    """The pickup slot on the shop's clock (Saturday 14 Dec, 14:00\u201314:30), or "to arrange"."""
    if data.pickup_start is None or data.pickup_end is None:
        return TO_ARRANGE
    shop = data.shop
    start, end = (
        data.pickup_start.astimezone(shop.time_zone),
        data.pickup_end.astimezone(shop.time_zone),
    )
    day = format_date(start.date(), DAY_PATTERN, locale=shop.locale)
    return f"{day}, {start:%H:%M}\u2013{end:%H:%M}"
