"""Per kind, turn a claimed outbox row into the email or text to send, built at send time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cloudcity.calendar.display import booked_label, slot_label
from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import Slot
from cloudcity.config import Settings
from cloudcity.db import Reading
from cloudcity.db.models import Customer, Order
from cloudcity.db.repositories.values import Claimed
from cloudcity.documents import InvoiceData
from cloudcity.domain import WHATSAPP_PREFIX, WHATSAPP_WINDOW, OrderStatus, in_window
from cloudcity.invoices import invoice_data, shop_info
from cloudcity.outbox.notices import cancel_email, cancel_text, changed_text, first_name
from cloudcity.outbox.ports import ReceiptRenderer
from cloudcity.outbox.queue import (
    CANCEL_EMAIL,
    CANCEL_MESSAGE,
    ORDER_CHANGED,
    PICKUP_CHANGED,
    PICKUP_REMINDER,
    READY_MESSAGE,
    RECEIPT_EMAIL,
    STAFF_MESSAGE,
)
from cloudcity.outbox.staff import REPLY_SETTING, reply_template
from cloudcity.pickup import shop_rules
from cloudcity.providers.ports import (
    Attachment,
    DeliveryError,
    Email,
    EmailSender,
    FindsSentEmails,
    FindsSentMessages,
    MessageSender,
    TextMessage,
)

__all__ = ["WHATSAPP_WINDOW", "Dispatcher", "Obsolete"]
READY_SETTING = "CLOUDCITY_TWILIO_READY_CONTENT_SID"
REMINDER_SETTING = "CLOUDCITY_TWILIO_REMINDER_CONTENT_SID"


class Obsolete(Exception):
    """What a message announces no longer holds (order cancelled, pickup moved): never send it."""


@dataclass(frozen=True)
class ReceiptOut:
    """A receipt to render and email; rendering waits until the database session is closed."""

    outbox_id: int
    to: str
    invoice: InvoiceData


Outgoing = ReceiptOut | TextMessage | Email
Ready = Email | TextMessage


@dataclass(frozen=True)
class Template:
    """A WhatsApp template to use outside the 24-hour window, and the setting that names it."""

    content_sid: str | None
    variables: dict[str, str]
    setting: str


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

    def provider(self, kind: str) -> str:
        """The name of the provider that carries a kind of message: twilio, sendgrid, local."""
        sender: object = self.email if kind == RECEIPT_EMAIL else self.messages
        name = type(sender).__name__.lower()
        known = [known for known in ("twilio", "sendgrid", "local") if known in name]
        return known[0] if known else name.removesuffix("sender")

    def prepare(self, reading: Reading, message: Claimed, *, now: datetime) -> Outgoing:
        """Read what the message needs from the database; refusals are permanent DeliveryErrors.

        Raises Obsolete for a reminder whose order was cancelled, collected or moved since.
        """
        if message.kind == STAFF_MESSAGE:
            return self._staff(reading, message, now)
        order = _order(reading, message)
        rules = shop_rules(reading)
        to = message.recipient
        if message.kind == RECEIPT_EMAIL:
            return self._receipt(message, order, rules)
        if message.kind == READY_MESSAGE:
            ready = self._ready_template(order)
            return self._text(
                reading, order.customer, to, self._ready_text(order, rules), now, ready
            )
        if message.kind in (CANCEL_MESSAGE, CANCEL_EMAIL):
            return self._cancelled(reading, message, order, rules, now)
        if message.kind == ORDER_CHANGED:
            body = changed_text(order, message.payload, self.settings)
            return self._text(reading, order.customer, to, body, now)
        if message.kind == PICKUP_CHANGED:
            body = self._pickup_text(order, message.payload, rules)
            return self._text(reading, order.customer, to, body, now)
        if message.kind == PICKUP_REMINDER:
            return self._reminder(reading, order, message, rules, now)
        raise DeliveryError(f"unknown outbox kind {message.kind!r}", permanent=True)

    def deliver(self, outgoing: Outgoing) -> str:
        """Render if needed and send; answers the provider's message id."""
        return self.send(self.ready(outgoing))

    def ready(self, outgoing: Outgoing, *, outbox_id: int | None = None) -> Ready:
        """The email or text exactly as it goes out: receipts rendered, texts naming their row."""
        if isinstance(outgoing, TextMessage):
            return replace(outgoing, outbox_id=outbox_id) if outbox_id else outgoing
        if isinstance(outgoing, Email):
            named = {"outbox_id": str(outbox_id)} if outbox_id else {}
            return replace(outgoing, custom_args=outgoing.custom_args | named)
        receipt = self.renderer.render(outgoing.invoice)
        return Email(
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

    def send(self, ready: Ready) -> str:
        """Hand a ready email or text to its provider; answers the provider's message id."""
        if isinstance(ready, TextMessage):
            return self.messages.send_message(ready)
        return self.email.send_email(ready)

    def find_sent(self, ready: Ready, *, since: datetime) -> str | None:
        """The provider's id of this message if it already took it since `since` and can tell.

        Twilio lists an account's messages and the local transports their files; SendGrid's
        Email Activity API is a paid add-on, so an email in doubt is settled only by its
        events (custom_args name the row)."""
        if isinstance(ready, TextMessage):
            if isinstance(self.messages, FindsSentMessages):
                return self.messages.find_sent(ready, since=since)
        elif isinstance(self.email, FindsSentEmails):
            return self.email.find_sent_email(ready, since=since)
        return None

    def doubt_grace(self, kind: str, grace: timedelta) -> timedelta:
        """How long a send in doubt of this kind waits for a delivery report before it is looked
        for again: nothing when its sender knows at once what it took (the local transports)."""
        sender = self.email if kind.endswith("_email") else self.messages
        return timedelta(0) if getattr(sender, "lookup_is_immediate", False) else grace

    def _receipt(self, message: Claimed, order: Order, rules: CalendarRules) -> ReceiptOut:
        to = message.recipient or order.customer.email or ""
        if not to:
            raise DeliveryError(
                f"order #{order.id} has no email address to send the receipt to", permanent=True
            )
        data = invoice_data(order, shop_info(self.settings, rules), rules=rules, email=to)
        return ReceiptOut(outbox_id=message.id, to=to, invoice=data)

    def _reminder(
        self, reading: Reading, order: Order, message: Claimed, rules: CalendarRules, now: datetime
    ) -> TextMessage:
        pickup_at = _still_announced(order, message)
        label = booked_label(pickup_at, rules=rules)
        variables = {"1": first_name(order.customer), "2": str(order.id), "3": label}
        template = Template(self.settings.twilio_reminder_content_sid, variables, REMINDER_SETTING)
        day = _relative_day(pickup_at, rules, now)
        body = self._reminder_text(order, f"{day}{label}")
        return self._text(reading, order.customer, message.recipient, body, now, template)

    def _staff(self, reading: Reading, message: Claimed, now: datetime) -> TextMessage:
        """A baker's message from the inbox: free text, or the approved reply template."""
        to = message.recipient
        customer = reading.customers.by_phone(to.removeprefix(WHATSAPP_PREFIX))
        if customer is None:
            raise DeliveryError(f"no customer has the number {to}", permanent=True)
        body = str(message.payload.get("body") or "")
        template = None
        if message.payload.get("template"):
            reply = reply_template(customer_name=customer.name, shop_name=self.settings.shop_name)
            content_sid = self.settings.twilio_reply_content_sid
            template = Template(content_sid, reply.variables, REPLY_SETTING)
            body = body or reply.text
        if not body:
            raise DeliveryError(f"staff message {message.id} has no text", permanent=True)
        return self._text(reading, customer, to, body, now, template)

    def _text(
        self,
        reading: Reading,
        customer: Customer,
        to: str,
        body: str,
        now: datetime,
        template: Template | None = None,
    ) -> TextMessage:
        if customer.opted_out:
            raise DeliveryError("customer opted out", permanent=True)
        if not to.startswith(WHATSAPP_PREFIX):
            return TextMessage(to=to, body=body)
        # Only a message on WhatsApp opens its window: an SMS from the same number does not.
        if in_window(reading.conversations.last_inbound_at(to), now):
            return TextMessage(to=to, body=body)
        if template is not None and template.content_sid:
            return TextMessage(
                to=to, content_sid=template.content_sid, content_variables=template.variables
            )
        if self.settings.twilio_sms_from:
            return TextMessage(to=to.removeprefix(WHATSAPP_PREFIX), body=body)
        setting = template.setting if template is not None else None
        raise DeliveryError(_outside_window(customer, setting=setting), permanent=True)

    def _ready_template(self, order: Order) -> Template:
        variables = {"1": first_name(order.customer), "2": str(order.id)}
        return Template(self.settings.twilio_ready_content_sid, variables, READY_SETTING)

    def _ready_text(self, order: Order, rules: CalendarRules) -> str:
        shop = self.settings
        slot = "" if order.pickup_at is None else f" ({booked_label(order.pickup_at, rules=rules)})"
        return (
            f"Hi {first_name(order.customer)}, your cake (order #{order.id}) is ready for "
            f"pickup at {shop.shop_address}{slot}. See you soon! — {shop.shop_name}"
        )

    def _cancelled(
        self, reading: Reading, message: Claimed, order: Order, rules: CalendarRules, now: datetime
    ) -> Outgoing:
        reason = str(message.payload.get("reason") or order.cancel_reason or "")
        if message.kind == CANCEL_MESSAGE:
            body = cancel_text(order, reason, rules, self.settings)
            return self._text(reading, order.customer, message.recipient, body, now)
        return cancel_email(
            order, to=message.recipient, reason=reason, rules=rules, shop=self.settings
        )

    def _pickup_text(self, order: Order, payload: dict[str, Any], rules: CalendarRules) -> str:
        shop = self.settings
        try:
            start = datetime.fromisoformat(str(payload["pickup_at"]))
            end = datetime.fromisoformat(str(payload["pickup_end"]))
        except (KeyError, ValueError):
            raise DeliveryError(
                f"pickup_changed for order #{order.id} has no readable pickup time in its payload",
                permanent=True,
            ) from None
        when = slot_label(
            Slot(start.astimezone(UTC), end.astimezone(UTC), rules.tz), locale=rules.locale
        )
        return (
            f"Hi {first_name(order.customer)}, the pickup time of your cake (order #{order.id}) "
            f"is now {when}, at {shop.shop_address}. If that doesn't suit you, reply here or call "
            f"us on {shop.shop_phone}. — {shop.shop_name}"
        )

    def _reminder_text(self, order: Order, when: str) -> str:
        shop = self.settings
        return (
            f"Hi {first_name(order.customer)}, a reminder: your cake (order #{order.id}) will "
            f"be waiting for you {when}, at {shop.shop_address}. Can't make it? Reply here or "
            f"call us on {shop.shop_phone}. — {shop.shop_name}"
        )


def _order(reading: Reading, message: Claimed) -> Order:
    order = reading.orders.get(message.order_id) if message.order_id is not None else None
    if order is None:
        raise DeliveryError(
            f"{message.kind} {message.idempotency_key!r} has no order to describe",
            permanent=True,
        )
    return order


def _still_announced(order: Order, message: Claimed) -> datetime:
    """The pickup a reminder announces, if it still holds; else Obsolete, saying why."""
    if order.status is OrderStatus.CANCELLED:
        raise Obsolete(f"order #{order.id} was cancelled")
    if order.status is OrderStatus.PICKED_UP:
        raise Obsolete(f"order #{order.id} was already picked up")
    announced = str(message.payload.get("pickup_at") or "")
    if order.pickup_at is None or not announced:
        raise Obsolete(f"order #{order.id} has no pickup time any more")
    if datetime.fromisoformat(announced) != order.pickup_at:
        raise Obsolete(f"order #{order.id}'s pickup time changed since this was scheduled")
    return order.pickup_at


def _relative_day(pickup_at: datetime, rules: CalendarRules, now: datetime) -> str:
    """The words before a slot: `tomorrow, ` or `today, ` (shop time), else `on `."""
    days = (pickup_at.astimezone(rules.tz).date() - rules.local_today(now)).days
    return {0: "today, ", 1: "tomorrow, "}.get(days, "on ")


def _outside_window(customer: Customer, *, setting: str | None) -> str:
    what = f"set {setting} to an approved template or " if setting else ""
    return (
        f"{customer.phone} has not written on WhatsApp for over 24 hours, so WhatsApp only "
        f"accepts an approved template: {what}set CLOUDCITY_TWILIO_SMS_FROM to fall back to SMS"
    )
