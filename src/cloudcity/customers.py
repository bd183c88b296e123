"""Customers: one per phone number, found or created race-free, their details kept current."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.dialect import insert_ignore
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


def update_details(
    customer: Customer, *, address: Address, name: str | None, email: str | None
) -> None:
    """Keep the name, email and channel the customer last gave us."""
    customer.channel = address.channel
    if name and customer.name != name:
        customer.name = name
    if email and customer.email != email:
        customer.email = email
