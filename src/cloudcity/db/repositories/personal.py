"""Everything held about one customer, found from their phone number: to export or erase it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of
from cloudcity.db.models import (
    ChatMessage,
    Conversation,
    Customer,
    CustomerSearchTerm,
    DeliveryEvent,
    Order,
    OrderEvent,
    OutboxMessage,
    PickupHold,
    ReferencePhoto,
)
from cloudcity.domain import Channel, twilio_address
from cloudcity.outbox.status import CANCELLED, DUE

ERASED_TEXT = "(erased)"


@dataclass(frozen=True)
class Footprint:
    """Where one customer appears: their row, their addresses and emails, orders and messages."""

    customer_id: int
    addresses: tuple[str, ...]
    emails: tuple[str, ...]
    order_ids: tuple[int, ...]
    outbox_ids: tuple[int, ...]
    provider_ids: tuple[str, ...]


class PersonalDataRepository:
    """Find, export and anonymise one customer's rows in every table that holds them."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def footprint(self, phone: str) -> Footprint | None:
        """Where the customer with this E.164 number appears; None when nobody has it."""
        customer = self._session.scalar(sa.select(Customer).where(Customer.phone == phone))
        if customer is None:
            return None
        addresses = tuple(twilio_address(phone, channel) for channel in Channel)
        emails = tuple(
            {e for e in [customer.email, *self._order_emails(customer.id)] if e is not None}
        )
        order_ids = tuple(
            self._session.scalars(sa.select(Order.id).where(Order.customer_id == customer.id))
        )
        outbox = sa.select(OutboxMessage.id).where(
            sa.or_(
                OutboxMessage.order_id.in_(order_ids),
                OutboxMessage.recipient.in_(addresses + emails),
            )
        )
        outbox_ids = tuple(self._session.scalars(outbox))
        provider_ids = self._session.scalars(
            sa.select(OutboxMessage.provider_message_id).where(
                OutboxMessage.id.in_(outbox_ids), OutboxMessage.provider_message_id.is_not(None)
            )
        )
        return Footprint(
            customer.id, addresses, emails, order_ids, outbox_ids, tuple(map(str, provider_ids))
        )

    def _order_emails(self, customer_id: int) -> list[str | None]:
        # Receipts went to the email given with each order, which may since have changed.
        query = (
            sa.select(OutboxMessage.recipient)
            .join(Order)
            .where(Order.customer_id == customer_id, OutboxMessage.recipient.contains("@"))
        )
        return list(self._session.scalars(query))

    def rows(self, found: Footprint) -> dict[str, list[dict[str, Any]]]:
        """Every row that concerns the customer, table by table, as plain column dicts."""
        return {
            model.__tablename__: self._plain(model, where)
            for model, where in _selections(found).items()
        }

    def _plain(self, model: type[Any], where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
        table = table_of(model)
        query = sa.select(table).where(where).order_by(*table.primary_key.columns)
        return [dict(row) for row in self._session.execute(query).mappings()]

    def photo_files(self, found: Footprint) -> list[str]:
        """The file names (in the photo folder) of the pictures they sent."""
        query = sa.select(ReferencePhoto.stored_path).where(
            _selections(found)[ReferencePhoto], ReferencePhoto.stored_path.is_not(None)
        )
        return [path for path in self._session.scalars(query) if path is not None]

    def anonymise(self, found: Footprint, *, reason: str, now: datetime) -> None:
        """Replace their phone, name, email and chat text; cancel what waits to be sent to them.

        Orders and their events stay, pointing at the anonymised customer, for the books; an
        order's note and inscription go (they may hold a name), and so do their photos' rows.
        """
        marker = f"erased:{found.customer_id}"
        selections = _selections(found)
        self._exec(sa.delete(ReferencePhoto).where(selections[ReferencePhoto]))
        for text in (Order.note, Order.inscription):
            self._exec(
                sa.update(Order)
                .where(selections[Order], text.is_not(None))
                .values({text: ERASED_TEXT})
            )
        self._exec(
            sa.update(OutboxMessage)
            .where(selections[OutboxMessage], OutboxMessage.status.in_(DUE))
            .values(status=CANCELLED, updated_at=now)
        )
        self._exec(
            sa.update(OutboxMessage)
            .where(selections[OutboxMessage])
            .values(recipient=marker, payload={}, last_error=reason, updated_at=now)
        )
        self._exec(sa.update(DeliveryEvent).where(selections[DeliveryEvent]).values(payload={}))
        self._exec(
            sa.update(ChatMessage)
            .where(selections[ChatMessage])
            .values(address=marker, body=ERASED_TEXT, reply=None)
        )
        self._exec(sa.delete(Conversation).where(selections[Conversation]))
        self._exec(
            sa.update(Customer)
            .where(Customer.id == found.customer_id)
            .values(phone=marker, name=None, email=None, opted_out=True, updated_at=now)
        )

    def _exec(self, statement: sa.Executable) -> None:
        self._session.execute(statement.execution_options(synchronize_session=False))


def _selections(found: Footprint) -> dict[type[Any], sa.ColumnElement[bool]]:
    """For each table that can hold something of theirs, which of its rows do."""
    return {
        Customer: Customer.id == found.customer_id,
        CustomerSearchTerm: CustomerSearchTerm.customer_id == found.customer_id,
        Order: Order.customer_id == found.customer_id,
        OrderEvent: OrderEvent.order_id.in_(found.order_ids),
        ChatMessage: sa.or_(
            ChatMessage.customer_id == found.customer_id, ChatMessage.address.in_(found.addresses)
        ),
        Conversation: Conversation.address.in_(found.addresses),
        PickupHold: PickupHold.address.in_(found.addresses),
        ReferencePhoto: sa.or_(
            ReferencePhoto.address.in_(found.addresses),
            ReferencePhoto.order_id.in_(found.order_ids),
        ),
        OutboxMessage: OutboxMessage.id.in_(found.outbox_ids),
        DeliveryEvent: sa.or_(
            DeliveryEvent.outbox_id.in_(found.outbox_ids),
            DeliveryEvent.provider_message_id.in_(found.provider_ids),
        ),
    }
