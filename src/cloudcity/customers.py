"""Customers: one per phone number, created or updated race-free in one statement."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of, utcnow
from cloudcity.db.dialect import backend, upsert_insert
from cloudcity.db.models import Customer
from cloudcity.phones import Address

_CUSTOMERS = table_of(Customer)
# What a message or an order changes on an existing customer; the rest is kept.
_ORDER_DETAILS = ("channel", "name", "email", "updated_at")
_ARRIVAL = ("channel", "last_inbound_at", "updated_at")


class CustomerRow(NamedTuple):
    """A customer as the chat and orders need them, read back by the upsert."""

    id: int
    name: str | None
    email: str | None
    opted_out: bool


def save_customer(
    session: orm.Session, *, address: Address, name: str | None, email: str | None
) -> CustomerRow:
    """Create or update the customer with this number for an order.

    The channel, name and email become the ones last given; an empty name or email keeps
    the one on file. Two at once for a new number still make one row.
    """
    details = {"name": name or None, "email": email or None}
    row = _upsert(session, address, _ORDER_DETAILS, details)
    _forget_details(session, row.id)
    return row


def touch_customer(session: orm.Session, *, address: Address, now: datetime) -> CustomerRow:
    """Create the customer a message comes from, or note its channel and arrival time."""
    return _upsert(session, address, _ARRIVAL, {"last_inbound_at": now}, now=now)


def _upsert(
    session: orm.Session,
    address: Address,
    changes: tuple[str, ...],
    values: dict[str, Any],
    *,
    now: datetime | None = None,
) -> CustomerRow:
    at = now or utcnow()
    row = {"phone": address.phone, "channel": address.channel, "opted_out": False}
    row |= values | {"created_at": at, "updated_at": at}
    found = session.execute(_upsert_statement(backend(session), changes), row).one()
    return CustomerRow(*found)


@functools.cache
def _upsert_statement(backend_name: str, changes: tuple[str, ...]) -> sa.Executable:
    insert = upsert_insert(backend_name, _CUSTOMERS)
    new, old = insert.excluded, _CUSTOMERS.c
    # An empty (NULL) value keeps the one on file.
    update = {name: sa.func.coalesce(new[name], old[name]) for name in changes}
    upsert = insert.on_conflict_do_update(index_elements=["phone"], set_=update)
    return upsert.returning(old.id, old.name, old.email, old.opted_out)


def _forget_details(session: orm.Session, customer_id: int) -> None:
    # A Customer this session already loaded would still show the old details: every column
    # the upsert sets, the channel included (an order may come from SMS).
    loaded = session.identity_map.get(session.identity_key(Customer, customer_id))
    if loaded is not None:
        session.expire(loaded, list(_ORDER_DETAILS))
