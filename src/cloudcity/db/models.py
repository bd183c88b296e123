"""Every table of Cloud City, registered in one place so metadata is always complete."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from cloudcity.db.base import Base, utcnow
from cloudcity.domain import Channel, OptionKind, OrderStatus, twilio_address


def _enum(kind: type[enum.StrEnum]) -> sa.Enum:
    # Stored as VARCHAR + CHECK on every backend: no PostgreSQL ENUM type to migrate later.
    return sa.Enum(
        kind,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        name=kind.__name__.lower(),
    )


class MenuOption(Base):
    """One orderable choice (a size, flavour, frosting or topping) with its price."""

    __tablename__ = "menu_options"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OptionKind] = mapped_column(_enum(OptionKind))
    key: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(80))
    price_cents: Mapped[int] = mapped_column(sa.CheckConstraint("price_cents >= 0", name="price"))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # The allergens it contains as codes in order (`gluten,eggs,milk`; see cloudcity.allergens).
    allergens: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    may_contain: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # Orders keep the name they were placed with: once renamed after an order, some order
    # names this option under an old name, so it is kept like one ordered under its own.
    renamed_after_order: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Customer(Base):
    """A person who orders; one row per phone number, whatever the channel."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    name: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    opted_out: Mapped[bool] = mapped_column(default=False)
    # The customer's search terms as one string (`cloudcity.search_terms`): compared on each
    # write, so the terms table is rewritten only when a name, email or phone changed.
    search_key: Mapped[str | None] = mapped_column(sa.Text)
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def address(self) -> str:
        """The Twilio address for this customer: `whatsapp:+1...` or `+1...`."""
        return twilio_address(self.phone, self.channel)


# Binary order on PostgreSQL, so a prefix range (term >= p AND term < p + U+10FFFF) holds
# exactly what starts with p whatever the database's locale; SQLite compares bytes anyway.
SEARCH_TERM = sa.String(260).with_variant(sa.String(260, collation="C"), "postgresql")


class CustomerSearchTerm(Base):
    """One word a customer is found by: a folded name word, an email, reversed phone digits."""

    __tablename__ = "customer_search_terms"

    term: Mapped[str] = mapped_column(SEARCH_TERM, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Order(Base):
    """A cake ordered by a customer, with its price fixed at the moment it was placed."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.Index("ix_orders_customer_id_id", "customer_id", "id"),
        sa.Index("ix_orders_status_id", "status", "id"),
        sa.Index("ix_orders_placed_at_id", "placed_at", "id"),
        sa.Index("ix_orders_status_placed_at_id", "status", "placed_at", "id"),
        sa.Index("ix_orders_status_pickup_at", "status", "pickup_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="RESTRICT"))
    size: Mapped[str] = mapped_column(sa.String(80))
    flavour: Mapped[str] = mapped_column(sa.String(80))
    frosting: Mapped[str] = mapped_column(sa.String(80))
    topping: Mapped[str] = mapped_column(sa.String(80))
    price_cents: Mapped[int] = mapped_column(sa.CheckConstraint("price_cents >= 0", name="price"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.PLACED)
    source: Mapped[str] = mapped_column(sa.String(16), default="api")
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    picked_up_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # None for orders placed before pickup times existed, or without one: "to arrange".
    pickup_at: Mapped[datetime | None] = mapped_column(index=True)
    # What each choice cost and what the cake contains, as the menu said when it was placed
    # (None for orders placed before these were kept): the receipt and invoice show them.
    size_cents: Mapped[int | None]
    flavour_cents: Mapped[int | None]
    frosting_cents: Mapped[int | None]
    topping_cents: Mapped[int | None]
    allergens: Mapped[str | None] = mapped_column(sa.String(160))
    may_contain: Mapped[str | None] = mapped_column(sa.String(1000))
    # What to pipe on the cake, exactly as the customer confirmed it; None: nothing written.
    inscription: Mapped[str | None] = mapped_column(sa.Text)
    # What the customer told the bakers (an allergy, a wish), shown to them in red.
    note: Mapped[str | None] = mapped_column(sa.Text)

    customer: Mapped[Customer] = orm.relationship(lazy="joined", innerjoin=True)


class OrderEvent(Base):
    """One step in an order's history: who did what, and when."""

    __tablename__ = "order_events"
    __table_args__ = (sa.Index("ix_order_events_order_id_at", "order_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """The chat state of one address: which step it is on and what was chosen so far."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(40), unique=True)
    step: Mapped[str] = mapped_column(sa.String(32), default="start")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    misses: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Handed to staff at this time (None while the bot talks), and why; the bot keeps quiet
    # for a while after the handoff and after each staff reply.
    handoff_at: Mapped[datetime | None] = mapped_column(index=True)
    handoff_reason: Mapped[str | None] = mapped_column(sa.String(200))
    staff_reply_at: Mapped[datetime | None]


class ChatMessage(Base):
    """A message in or out of a chat; an inbound MessageSid is processed once."""

    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_address_id", "address", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(40))
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[str] = mapped_column(sa.String(3))
    body: Mapped[str] = mapped_column(sa.Text)
    message_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Kept for retries (the reply given the first time); the reply's own "out" row is what
    # a transcript shows.
    reply: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The baker who wrote an outbound message (None: the customer or the bot), and the
    # outbox row that carries it, whose delivery reports the inbox shows.
    author: Mapped[str | None] = mapped_column(sa.String(80))
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id", ondelete="SET NULL"))


class OutboxMessage(Base):
    """Something to send (an email or a text), written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(254))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(sa.String(64))
    # Set just before a provider is called, cleared when the result is recorded: while set,
    # the provider may have accepted the message, and a resend first looks for that.
    sending_since: Mapped[datetime | None]
    # When its first send began (cleared by a manual retry): how long it has been failing,
    # which next_attempt_at cannot tell since each backoff moves it forward.
    first_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    delivery_status: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    # The X-Request-Id of the request that wrote it: one order followed from webhook to send.
    request_id: Mapped[str | None] = mapped_column(sa.String(64))


class DeliveryEvent(Base):
    """A provider's report about a sent message (Twilio status callback, SendGrid event)."""

    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    event_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(32))
    error_code: Mapped[str | None] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerHeartbeat(Base):
    """When an outbox worker (any process, any machine) last said it was alive."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    started_at: Mapped[datetime]
    last_seen: Mapped[datetime] = mapped_column(index=True)


class AdminUser(Base):
    """A baker who may log in to the admin; the password is stored as an argon2 hash."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of every session's id: raising it (logging out) ends every session of this user.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))


class ShopCalendar(Base):
    """The shop's calendar rules (one row), as the admin last saved them."""

    __tablename__ = "shop_calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The secret in the iCalendar feed's URL; rotating it revokes every old link.
    feed_token: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PickupSlotCount(Base):
    """How many places of one pickup slot are taken (orders and live holds)."""

    __tablename__ = "pickup_slot_counts"

    slot_start: Mapped[datetime] = mapped_column(primary_key=True)
    taken: Mapped[int] = mapped_column(sa.CheckConstraint("taken >= 0", name="taken"), default=0)


class PickupDayCount(Base):
    """How many cakes are taken for one pickup day (the shop's local date)."""

    __tablename__ = "pickup_day_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    taken: Mapped[int] = mapped_column(sa.CheckConstraint("taken >= 0", name="taken"), default=0)


class PickupHold(Base):
    """A slot kept for one chat customer while they finish ordering; counted as taken."""

    __tablename__ = "pickup_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(40), unique=True)
    slot_start: Mapped[datetime]
    day: Mapped[date]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ReferencePhoto(Base):
    """A picture a customer sent while ordering ("like this one"), fetched by the worker."""

    __tablename__ = "reference_photos"
    __table_args__ = (sa.Index("ix_reference_photos_address_id", "address", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(40))
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    media_url: Mapped[str] = mapped_column(sa.String(1000))
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    # pending (the worker fetches it) -> stored | refused (not an image, too big, wrong host)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    # Relative to the photo folder (CLOUDCITY_PHOTO_DIR); never a path from outside.
    stored_path: Mapped[str | None] = mapped_column(sa.String(200))
    size_bytes: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = [
    "AdminUser",
    "Base",
    "Channel",
    "ChatMessage",
    "Conversation",
    "Customer",
    "CustomerSearchTerm",
    "DeliveryEvent",
    "MenuOption",
    "OptionKind",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "OutboxMessage",
    "PickupDayCount",
    "PickupHold",
    "PickupSlotCount",
    "ReferencePhoto",
    "ShopCalendar",
    "WorkerHeartbeat",
]
