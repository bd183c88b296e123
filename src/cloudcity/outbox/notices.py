"""What the customer reads when a baker cancels or changes their order (texts and email)."""

from __future__ import annotations

from typing import Any

from cloudcity.calendar.display import booked_label
from cloudcity.calendar.rules import CalendarRules
from cloudcity.config import Settings
from cloudcity.db.models import Customer, Order
from cloudcity.documents import render_cancel_email
from cloudcity.invoices import invoice_data, shop_info
from cloudcity.providers.ports import DeliveryError, Email

SENTENCE_ENDS = (".", "!", "?", "…")


def first_name(customer: Customer) -> str:
    """How a message greets the customer: their first name, or "there"."""
    words = (customer.name or "").split()
    return words[0] if words else "there"


def reason_sentence(reason: str) -> str:
    """The baker's reason as a sentence of its own: capitalised, ending with a full stop."""
    text = " ".join(reason.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith(SENTENCE_ENDS) else text + "."


def cancel_text(order: Order, reason: str, rules: CalendarRules, shop: Settings) -> str:
    """The cancellation text: our sentence, then the baker's reason after "Reason:"."""
    slot = "" if order.pickup_at is None else f" for {booked_label(order.pickup_at, rules=rules)}"
    why = f" Reason: {reason_sentence(reason)}" if reason.strip() else ""
    return (
        f"Hi {first_name(order.customer)}, your cake order #{order.id}{slot} has been "
        f"cancelled.{why} We're sorry. If you have any questions, reply here or call us on "
        f"{shop.shop_phone}. — {shop.shop_name}"
    )


def cancel_email(
    order: Order, *, to: str, reason: str, rules: CalendarRules, shop: Settings
) -> Email:
    """The cancellation email (no attachment), naming its order for delivery reports."""
    data = invoice_data(order, shop_info(shop, rules), rules=rules, email=to)
    rendered = render_cancel_email(data, reason=reason_sentence(reason))
    return Email(
        to=to,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        categories=("cancellation",),
        custom_args={"order_id": str(order.id)},
    )


def changed_text(order: Order, payload: dict[str, Any], shop: Settings) -> str:
    """One text listing what a baker changed in the order, the new total among them.

    ("flavour: Lemon (was Vanilla); new total: $43.00 (was $41.00)": worded when enqueued.)
    """
    changes = payload.get("changes")
    if not isinstance(changes, list) or not changes:
        raise DeliveryError(f"order_changed for order #{order.id} lists no change", permanent=True)
    listed = "; ".join(str(change) for change in changes)
    return (
        f"Hi {first_name(order.customer)}, we've updated your cake order #{order.id}: {listed}. "
        f"If that isn't right, reply here or call us on {shop.shop_phone}. — {shop.shop_name}"
    )
