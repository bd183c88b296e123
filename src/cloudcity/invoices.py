"""What an order's invoice and receipt show: an Order and the shop turned into InvoiceData."""

from __future__ import annotations

from dataclasses import replace

from cloudcity.config import Settings
from cloudcity.db.models import Order
from cloudcity.documents import InvoiceData, ShopInfo


def shop_info(settings: Settings) -> ShopInfo:
    """The shop as its documents name it."""
    return ShopInfo(
        name=settings.shop_name,
        address=settings.shop_address,
        email=settings.shop_email,
        phone=settings.shop_phone,
    )


def invoice_data(order: Order, shop: ShopInfo, *, email: str | None = None) -> InvoiceData:
    """The invoice of an order, billed to its customer (at `email` when given)."""
    customer = order.customer
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
    )
    return replace(data, customer_email=email) if email else data
