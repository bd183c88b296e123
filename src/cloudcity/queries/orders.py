"""Finding orders for the admin: filter, search and page through them, newest first.

Orders are read newest first by (placed_at, id) with keyset pages: a page asks for one row
more than it shows to know whether an older page exists, so no COUNT(*) is ever needed.
Search uses an index for every kind of term: the order number is the primary key, a whole
phone number is matched exactly on the unique phone index; a name, an email and the last
digits of a phone number are prefixes of the customers' search terms (`search_terms`), each
one range of the terms' primary key. A name is matched word by word from the start of each
word ("lop" finds "María López", "ópez" does not): prefixes are what a B-tree answers on
SQLite and PostgreSQL alike, and bakers type the start of a name, not its middle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import phonenumbers
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import Customer, CustomerSearchTerm, Order
from cloudcity.domain import OrderStatus
from cloudcity.search_terms import EMAIL, NAME, PHONE, name_words

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
FEW_CUSTOMERS = 200
ORDER_NUMBER = re.compile(r"^(#)?\s*(\d{1,9})$")
PHONE_CHARS = re.compile(r"^[\d\s()+.\-]+$")
# Sorts after every digit (and after '@' and letters in the C/binary collation we rely on).
PREFIX_END = "\U0010ffff"


@dataclass(frozen=True)
class OrderFilter:
    """What the baker asked for: a status, a range of days (the shop's, inclusive), a search."""

    status: OrderStatus | None = None
    since: date | None = None
    until: date | None = None
    query: str = ""
    tz: tzinfo = UTC


@dataclass(frozen=True)
class Page:
    """One page of orders and the cursor of the next (older) page, if there is one."""

    orders: list[Order]
    next_before: int | None


def find_orders(
    session: orm.Session,
    wanted: OrderFilter,
    *,
    before: int | None = None,
    page_size: int = PAGE_SIZE,
    region: str | None = None,
) -> Page:
    """A page of orders matching the filter, newest first, older than the order `before`."""
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    query = filtered(session, wanted, region=region)
    query = _older_than(session, query, before).limit(size + 1)
    rows = list(session.scalars(query))
    more = len(rows) > size
    return Page(rows[:size], rows[size - 1].id if more else None)


def iter_pages(
    session: orm.Session, wanted: OrderFilter, *, region: str | None = None, chunk: int = 500
) -> Iterator[list[Order]]:
    """Every order matching the filter, newest first, a page at a time (for exports)."""
    before: int | None = None
    while True:
        page = find_orders(session, wanted, before=before, page_size=chunk, region=region)
        yield page.orders
        if page.next_before is None:
            return
        before = page.next_before


def filtered(
    session: orm.Session, wanted: OrderFilter, *, region: str | None = None
) -> sa.Select[Order]:
    """The orders query (customer joined in the same SELECT) for a filter, newest first."""
    query = sa.select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if wanted.status is not None:
        query = query.where(Order.status == wanted.status)
    if wanted.since is not None:
        query = query.where(Order.placed_at >= _midnight(wanted.since, wanted.tz))
    if wanted.until is not None and wanted.until < date.max:  # 9999-12-31: no end at all
        next_day = wanted.until + timedelta(days=1)
        query = query.where(Order.placed_at < _midnight(next_day, wanted.tz))
    term = " ".join(wanted.query.split())
    if term:
        query = query.where(_matching(session, term, region))
    return query


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _older_than(
    session: orm.Session, query: sa.Select[Order], before: int | None
) -> sa.Select[Order]:
    if before is None:
        return query
    placed_at = session.scalar(sa.select(Order.placed_at).where(Order.id == before))
    if placed_at is None:
        return query.where(Order.id < before)
    return query.where(
        sa.or_(
            Order.placed_at < placed_at, sa.and_(Order.placed_at == placed_at, Order.id < before)
        )
    )


def _matching(session: orm.Session, term: str, region: str | None) -> sa.ColumnElement[bool]:
    number = ORDER_NUMBER.match(term)
    if number is not None and (number.group(1) or len(number.group(2)) < 4):
        return Order.id == int(number.group(2))  # "#12", or too short to end a phone number
    if PHONE_CHARS.match(term) and any(char.isdigit() for char in term):
        by_phone = _of_customers(session, _phone_customers(term, region))
        if number is None or len(number.group(2)) >= 7:
            return by_phone
        return sa.or_(Order.id == int(number.group(2)), by_phone)  # "0100": an order or a phone
    if "@" in term:
        return _of_customers(session, _with_prefixes([EMAIL + term.casefold()]))
    words = name_words(term)
    if not words:
        return sa.false()
    return _of_customers(session, _with_prefixes([NAME + word for word in words]))


def _of_customers(session: orm.Session, customers: sa.Select[int]) -> sa.ColumnElement[bool]:
    # Few matching customers: fetch their orders by the (customer_id, id) index and sort them.
    # Many (a short prefix): walk orders newest first and keep those whose customer matches,
    # which finds a page quickly instead of sorting every order of thousands of customers.
    ids = list(session.scalars(customers.limit(FEW_CUSTOMERS + 1)))
    if len(ids) <= FEW_CUSTOMERS:
        return Order.customer_id.in_(ids)
    # EXISTS, not IN: PostgreSQL then walks orders newest first (1 ms) instead of joining
    # every order of the matching customers and sorting them (50 ms at 100,000 orders).
    customer_id = customers.selected_columns[0]
    return sa.exists(customers.where(customer_id == Order.customer_id))


def _phone_customers(term: str, region: str | None) -> sa.Select[int]:
    phone = normalise_phone(term, region)
    if phone is not None:
        return sa.select(Customer.id).where(Customer.phone == phone)
    digits = re.sub(r"\D", "", term)
    if term.startswith("+"):  # the start of an international number: "+4479"
        start = "+" + digits
        return sa.select(Customer.id).where(
            Customer.phone >= start, Customer.phone < start + PREFIX_END
        )
    return _with_prefixes([PHONE + digits[::-1]])  # its last digits: "555-0100", "0100"


def _with_prefixes(prefixes: list[str]) -> sa.Select[int]:
    """Customers with a search term starting with each of `prefixes` (every word must match)."""
    # A range on the primary key (term, customer_id), not LIKE: one index range per prefix on
    # SQLite and PostgreSQL alike (the column is binary-collated there).
    query = sa.select(CustomerSearchTerm.customer_id).distinct()
    first, *others = prefixes
    query = query.where(_starts(first))
    for prefix in others:
        also = sa.select(CustomerSearchTerm.customer_id).where(_starts(prefix))
        query = query.where(CustomerSearchTerm.customer_id.in_(also))
    return query


def _starts(prefix: str) -> sa.ColumnElement[bool]:
    term = CustomerSearchTerm.term
    return sa.and_(term >= prefix, term < prefix + PREFIX_END)


def normalise_phone(term: str, region: str | None) -> str | None:
    """A typed phone number in E.164 (+14155550100), read in the shop's region if no `+`."""
    try:
        number = phonenumbers.parse(term, None if term.strip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
