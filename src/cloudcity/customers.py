"""Customers: one per phone number, found or created race-free, their details kept current."""

from __future__ import annotations

import functools
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of, utcnow
from cloudcity.db.dialect import backend, insert_ignore, upsert_insert
from cloudcity.db.models import Customer
from cloudcity.phones import Address


def customer_for(session: orm.Session, address: Address) -> Customer:
    """The customer with this phone number, created if new (two at once still make one row)."""
    existing = find_customer(session, address.phone)
    if existing is not None:
        return existing
    now = utcnow()
    insert_ignore(
        session,
        Customer,
        {
            "phone": address.phone,
            "channel": address.channel,
            "opted_out": False,
            "created_at": now,
            "updated_at": now,
        },
        unique=["phone"],
    )
    customer = find_customer(session, address.phone)
    assert customer is not None  # inserted just now, or by whoever won the race
    return customer


def find_customer(session: orm.Session, phone: str) -> Customer | None:
    """The customer with this E.164 phone number, if any."""
    return session.scalars(sa.select(Customer).where(Customer.phone == phone)).one_or_none()


class SavedCustomer(NamedTuple):
    """The customer row an order is placed for: its id and the email now on file."""

    id: int
    email: str | None


def save_customer(
    session: orm.Session, *, address: Address, name: str | None, email: str | None
) -> SavedCustomer:
    """Create or update the customer with this number in one statement.

    The channel, name and email become the ones last given; an empty name or email keeps
    the one on file. Two at once for a new number still make one row.
    """
    now = utcnow()
    values = {
        "phone": address.phone,
        "channel": address.channel,
        "name": name or None,
        "email": email or None,
        "opted_out": False,
        "created_at": now,
        "updated_at": now,
    }
    row = session.execute(_save_statement(backend(session)), values).one()
    _forget_details(session, row.id)
    return SavedCustomer(row.id, row.email)


@functools.cache
def _save_statement(backend_name: str) -> sa.Executable:
    table = table_of(Customer)
    insert = upsert_insert(backend_name, table)
    new, old = insert.excluded, table.c
    update = {
        "channel": new.channel,
        "name": sa.func.coalesce(new.name, old.name),
        "email": sa.func.coalesce(new.email, old.email),
        "updated_at": new.updated_at,
    }
    return insert.on_conflict_do_update(index_elements=["phone"], set_=update).returning(
        old.id, old.email
    )


def _forget_details(session: orm.Session, customer_id: int) -> None:
    # A Customer this session already loaded (the chat's) would still show the old details:
    # every column the upsert sets, the channel included (an order may come from SMS).
    loaded = session.identity_map.get(session.identity_key(Customer, customer_id))
    if loaded is not None:
        session.expire(loaded, ["channel", "name", "email", "updated_at"])
