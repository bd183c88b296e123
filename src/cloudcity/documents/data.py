"""What a receipt and an invoice are made from: plain values, no database objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ShopInfo:
    """The bakery as it appears on a receipt or an invoice."""

    name: str
    address: str
    email: str
    phone: str


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

    def __post_init__(self) -> None:
        if self.placed_at.utcoffset() != timedelta(0):
            raise ValueError("placed_at must be an aware UTC datetime")
        if isinstance(self.price_cents, bool) or not isinstance(self.price_cents, int):
            raise TypeError("price_cents must be an int number of cents")
        if self.price_cents < 0:
            raise ValueError("price_cents cannot be negative")
        if not CURRENCY_CODE.fullmatch(self.currency):
            raise ValueError(f"currency must be a 3-letter code such as USD, not {self.currency!r}")


def invoice_number(order_id: int) -> str:
    """The number printed on an invoice: order 42 is CC-000042."""
    return f"CC-{order_id:06d}"


def invoice_filename(order_id: int) -> str:
    """The attachment name of an order's invoice: cloud-city-invoice-42.pdf."""
    return f"cloud-city-invoice-{order_id}.pdf"


def issue_date(placed_at: datetime) -> str:
    """The invoice's date of issue as people read it: 24 November 2025."""
    return f"{placed_at.day} {placed_at:%B %Y}"
