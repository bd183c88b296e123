"""Per kind, turn a claimed outbox row into the email or text to send, built at send time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.calendar.rules import CalendarRules
from cloudcity.config import Settings
from cloudcity.db import Reading
from cloudcity.db.models import Customer, Order
from cloudcity.db.repositories.values import Claimed
from cloudcity.documents import InvoiceData
from cloudcity.domain import WHATSAPP_PREFIX
from cloudcity.invoices import invoice_data, shop_info
from cloudcity.outbox.ports import ReceiptRenderer
from cloudcity.outbox.queue import CANCEL_MESSAGE, READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.pickup import shop_rules
from cloudcity.providers.ports import (
    Attachment,
    DeliveryError,
    Email,
    EmailSender,
    MessageSender,
    TextMessage,
)

# WhatsApp accepts free-form text only within 24 hours of the customer's last message to us.
WHATSAPP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ReceiptOut:
    """A receipt to render and email; rendering waits until the database session is closed."""

    outbox_id: int
    to: str
    invoice: InvoiceData


Outgoing = ReceiptOut | TextMessage


@dataclass(frozen=True)
class Template:
    """A WhatsApp template to use outside the 24-hour window."""

    content_sid: str
    variables: dict[str, str]


class Dispatcher:
    """Knows what each kind of message says and which sender carries it."""

    def __init__(
        self,
        *,
        email: EmailSender,
        messages: MessageSender,
        renderer: ReceiptRenderer,
        settings: Settings,
    ) -> None:
        self.email = email
        self.messages = messages
        self.renderer = renderer
        self.settings = settings

    def prepare(self, reading: Reading, message: Claimed, *, now: datetime) -> Outgoing:
        """Read what the message needs from the database; refusals are permanent DeliveryErrors."""
        order = _order(reading, message)
        if message.kind == RECEIPT_EMAIL:
            return self._receipt(message, order, shop_rules(reading))
        if message.kind == READY_MESSAGE:
            return self._text(order, message.recipient, self._ready_text(order), now, ready=True)
        if message.kind == CANCEL_MESSAGE:
            reason = str(message.payload.get("reason") or order.cancel_reason or "")
            return self._text(order, message.recipient, self._cancel_text(order, reason), now)
        raise DeliveryError(f"unknown outbox kind {message.kind!r}", permanent=True)

    def deliver(self, outgoing: Outgoing) -> str:
        """Render if needed and send; answers the provider's message id."""
        if isinstance(outgoing, TextMessage):
            return self.messages.send_message(outgoing)
        receipt = self.renderer.render(outgoing.invoice)
        return self.email.send_email(
            Email(
                to=outgoing.to,
                subject=receipt.subject,
                html=receipt.html,
                text=receipt.text,
                attachments=(Attachment(receipt.pdf_filename, "application/pdf", receipt.pdf),),
                categories=("receipt",),
                # Ids only: custom_args are visible in SendGrid's dashboards and event webhooks.
                custom_args={
                    "order_id": str(outgoing.invoice.order_id),
                    "outbox_id": str(outgoing.outbox_id),
                },
            )
        )

    def _receipt(self, message: Claimed, order: Order, rules: CalendarRules) -> ReceiptOut:
        to = message.recipient or order.customer.email or ""
        if not to:
            raise DeliveryError(
                f"order #{order.id} has no email address to send the receipt to", permanent=True
            )
        data = invoice_data(order, shop_info(self.settings, rules), rules=rules, email=to)
        return ReceiptOut(outbox_id=message.id, to=to, invoice=data)

    def _text(
        self, order: Order, to: str, body: str, now: datetime, *, ready: bool = False
    ) -> TextMessage:
        customer = order.customer
        if customer.opted_out:
            raise DeliveryError("customer opted out", permanent=True)
        if not to.startswith(WHATSAPP_PREFIX) or _in_window(customer, now):
            return TextMessage(to=to, body=body)
        template = self._ready_template(order) if ready else None
        if template is not None:
            return TextMessage(
                to=to, content_sid=template.content_sid, content_variables=template.variables
            )
        if self.settings.twilio_sms_from:
            return TextMessage(to=to.removeprefix(WHATSAPP_PREFIX), body=body)
        raise DeliveryError(_outside_window(customer, ready=ready), permanent=True)

    def _ready_template(self, order: Order) -> Template | None:
        sid = self.settings.twilio_ready_content_sid
        if not sid:
            return None
        return Template(sid, {"1": _first_name(order.customer), "2": str(order.id)})

    def _ready_text(self, order: Order) -> str:
        shop = self.settings
        return (
            f"Hi {_first_name(order.customer)}, your cake (order #{order.id}) is ready for "
            f"pickup at {shop.shop_address}. See you soon! — {shop.shop_name}"
        )

    def _cancel_text(self, order: Order, reason: str) -> str:
        shop = self.settings
        because = f" because {reason.rstrip('.')}" if reason else ""
        return (
            f"Hi {_first_name(order.customer)}, we're sorry: your cake order #{order.id} has been "
            f"cancelled{because}. If you have any questions, reply here or call us on "
            f"{shop.shop_phone}. — {shop.shop_name}"
        )


def _order(reading: Reading, message: Claimed) -> Order:
    order = reading.orders.get(message.order_id) if message.order_id is not None else None
    if order is None:
        raise DeliveryError(
            f"{message.kind} {message.idempotency_key!r} has no order to describe",
            permanent=True,
        )
    return order


def _in_window(customer: Customer, now: datetime) -> bool:
    last = customer.last_inbound_at
    return last is not None and now - last < WHATSAPP_WINDOW


def _first_name(customer: Customer) -> str:
    words = (customer.name or "").split()
    return words[0] if words else "there"


def _outside_window(customer: Customer, *, ready: bool) -> str:
    what = "set CLOUDCITY_TWILIO_READY_CONTENT_SID to an approved template or " if ready else ""
    return (
        f"{customer.phone} last wrote to us over 24 hours ago, so WhatsApp only accepts an "
        f"approved template: {what}set CLOUDCITY_TWILIO_SMS_FROM to fall back to SMS"
    )
