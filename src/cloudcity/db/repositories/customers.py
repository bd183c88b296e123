"""Customers: one per phone number, created or updated race-free in one statement."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, upsert_insert
from cloudcity.db.models import Customer, CustomerSearchTerm
from cloudcity.db.repositories.values import CustomerState
from cloudcity.domain import Address
from cloudcity.search_terms import customer_terms, search_key

_CUSTOMERS = table_of(Customer)
_TERMS = table_of(CustomerSearchTerm)
_UNINDEXED = (
    sa.select(_CUSTOMERS.c.id, _CUSTOMERS.c.phone, _CUSTOMERS.c.name, _CUSTOMERS.c.email)
    .where(_CUSTOMERS.c.search_key.is_(None))
    .order_by(_CUSTOMERS.c.id)
)
# A customer's search terms rewritten: built once, as constructing them cost more than running
# them on the order API's hot path (a new customer each time).
_DROP_TERMS = sa.delete(_TERMS).where(
    _TERMS.c.customer_id == sa.bindparam("owner", type_=sa.Integer)
)
_ADD_TERMS = sa.insert(_TERMS)
_SET_KEY = (
    sa.update(_CUSTOMERS)
    .where(_CUSTOMERS.c.id == sa.bindparam("owner", type_=sa.Integer))
    .values(search_key=sa.bindparam("key"))
)
# What a message or an order changes on an existing customer; the rest is kept.
_ORDER_DETAILS = ("channel", "name", "email", "updated_at")
_ARRIVAL = ("channel", "last_inbound_at", "updated_at")
_SAVE_OPT_OUT = (
    sa.update(_CUSTOMERS)
    .where(_CUSTOMERS.c.id == sa.bindparam("customer_id", type_=sa.Integer))
    .values(opted_out=sa.bindparam("opted_out"), updated_at=sa.bindparam("updated_at"))
)


class CustomerRepository:
    """Customers by phone number."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def save_for_order(
        self, *, address: Address, name: str | None, email: str | None, now: datetime
    ) -> CustomerState:
        """Create or update the customer with this number; an empty name or email keeps the old."""
        details = {"name": name or None, "email": email or None}
        return self._upsert(address, _ORDER_DETAILS, details, now=now)

    def touch(self, *, address: Address, now: datetime) -> CustomerState:
        """Create the customer a message comes from, or note its channel and arrival time."""
        return self._upsert(address, _ARRIVAL, {"last_inbound_at": now}, now=now)

    def by_phone(self, phone: str) -> Customer | None:
        """The customer with this E.164 number, as a row (None: nobody has it)."""
        return self._session.scalar(sa.select(Customer).where(Customer.phone == phone))

    def save_opt_out(self, customer: CustomerState, *, now: datetime) -> None:
        """Write the customer's opt-out back when it changed (STOP, START)."""
        if customer.opted_out != customer.was_opted_out:
            values = {"customer_id": customer.id, "opted_out": customer.opted_out}
            self._session.execute(_SAVE_OPT_OUT, values | {"updated_at": now})

    def rename(
        self, customer_id: int, *, name: str | None, email: str | None, now: datetime
    ) -> None:
        """Set a customer's name and email as given (None clears them), search terms too."""
        phone = self._session.execute(
            sa.update(_CUSTOMERS)
            .where(_CUSTOMERS.c.id == customer_id)
            .values(name=name, email=email, updated_at=now)
            .returning(_CUSTOMERS.c.phone)
        ).scalar_one()
        self._index(customer_id, phone=phone, name=name, email=email, old_key=None, force=True)

    def reindex(self, customer_id: int) -> None:
        """Rewrite one customer's search terms from their row as it is now (after an erasure)."""
        row = self._session.execute(
            sa.select(_CUSTOMERS.c.phone, _CUSTOMERS.c.name, _CUSTOMERS.c.email).where(
                _CUSTOMERS.c.id == customer_id
            )
        ).one()
        self._index(
            customer_id, phone=row.phone, name=row.name, email=row.email, old_key=None, force=True
        )

    def index_unindexed(self, *, batch: int = 2_000) -> int:
        """Write the search terms of customers written around this repository (bulk loads)."""
        done = 0
        while rows := self._session.execute(_UNINDEXED.limit(batch)).all():
            for row in rows:
                self._index(row.id, phone=row.phone, name=row.name, email=row.email, old_key=None)
            done += len(rows)
        return done

    def _upsert(
        self, address: Address, changes: tuple[str, ...], values: dict[str, Any], *, now: datetime
    ) -> CustomerState:
        row = {"phone": address.phone, "channel": address.channel, "opted_out": False}
        row |= values | {"created_at": now, "updated_at": now}
        statement = _upsert_statement(backend(self._session), changes)
        found = self._session.execute(statement, row).one()
        customer_id, name, email, opted_out, old_key = found
        self._index(customer_id, phone=address.phone, name=name, email=email, old_key=old_key)
        return CustomerState(customer_id, name, email, opted_out, was_opted_out=opted_out)

    def _index(
        self,
        customer_id: int,
        *,
        phone: str,
        name: str | None,
        email: str | None,
        old_key: str | None,
        force: bool = False,
    ) -> None:
        """Rewrite the customer's search terms, unless the stored key shows they are the same.

        A new customer is inserted with no key, so its terms are always written; a returning
        one with the same name and email costs nothing more than the key read with the upsert.
        `force` rewrites them whatever the key says (a rename, an erasure).
        """
        terms = customer_terms(phone=phone, name=name, email=email)
        key = search_key(terms)
        if key == old_key and not force:
            return
        if old_key is not None or force:  # indexed before; a new customer has no terms yet
            self._session.execute(_DROP_TERMS, {"owner": customer_id})
        rows = [{"term": term, "customer_id": customer_id} for term in terms]
        self._session.execute(_ADD_TERMS, rows)
        self._session.execute(_SET_KEY, {"owner": customer_id, "key": key})


@functools.cache
def _upsert_statement(backend_name: str, changes: tuple[str, ...]) -> sa.Executable:
    insert = upsert_insert(backend_name, _CUSTOMERS)
    new, old = insert.excluded, _CUSTOMERS.c
    # An empty (NULL) value keeps the one on file. Two at once for a new number make one row.
    update = {name: sa.func.coalesce(new[name], old[name]) for name in changes}
    upsert = insert.on_conflict_do_update(index_elements=["phone"], set_=update)
    # search_key is never in the insert's row nor updated here: NULL for a new customer.
    return upsert.returning(old.id, old.name, old.email, old.opted_out, old.search_key)
