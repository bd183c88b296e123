"""Orders: placed with plain statements (the hot path), changed as tracked rows (the admin)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.allergens import encode
from cloudcity.db.base import table_of
from cloudcity.db.dialect import lock_for_update
from cloudcity.db.models import Customer, Order, OrderEvent
from cloudcity.db.repositories.values import NewOrder, OpenOrder, PlacedOrder
from cloudcity.domain import Cake, OptionKind, OrderStatus

# Plain INSERTs, each built once: placing an order is the hot path of the API and the chat,
# and the ORM's flush costs more than the three rows it writes.
_ORDERS = table_of(Order)
_INSERT_ORDER = sa.insert(_ORDERS).returning(_ORDERS.c.id)
_INSERT_EVENT = sa.insert(table_of(OrderEvent))
_OPEN = frozenset({OrderStatus.PLACED, OrderStatus.READY})
_OPEN_FOR_CUSTOMER = (
    sa.select(
        _ORDERS.c.id, _ORDERS.c.size, _ORDERS.c.flavour, _ORDERS.c.status, _ORDERS.c.pickup_at
    )
    .where(_ORDERS.c.customer_id == sa.bindparam("customer_id", type_=sa.Integer))
    .where(_ORDERS.c.status.in_(sorted(_OPEN)))
    .order_by(_ORDERS.c.id)
)
_BY_IDEMPOTENCY_KEY = (
    sa.select(
        _ORDERS.c.id,
        _ORDERS.c.placed_at,
        table_of(Customer).c.email,
        _ORDERS.c.size,
        _ORDERS.c.flavour,
        _ORDERS.c.frosting,
        _ORDERS.c.topping,
        _ORDERS.c.price_cents,
        _ORDERS.c.currency,
        _ORDERS.c.status,
        _ORDERS.c.pickup_at,
        _ORDERS.c.inscription,
        _ORDERS.c.note,
        _ORDERS.c.request_fingerprint,
    )
    .join_from(_ORDERS, table_of(Customer))
    .where(_ORDERS.c.idempotency_key == sa.bindparam("key", type_=sa.String))
)


class OrderRepository:
    """Orders and their timeline events."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def add(self, order: NewOrder) -> int:
        """Insert an order; its id."""
        return int(self._session.execute(_INSERT_ORDER, _row(order)).scalar_one())

    def add_unless_key_taken(self, order: NewOrder) -> int | None:
        """Insert an order with an idempotency key; None when another order took the key."""
        try:
            with self._session.begin_nested():
                return self.add(order)
        except sa.exc.IntegrityError:
            if self.by_idempotency_key(order.idempotency_key or "") is None:
                raise  # some other constraint: not ours to hide
            return None

    def by_idempotency_key(self, key: str) -> PlacedOrder | None:
        """The order placed under this Idempotency-Key, if any."""
        found = self._session.execute(_BY_IDEMPOTENCY_KEY, {"key": key}).one_or_none()
        if found is None:
            return None
        return PlacedOrder(
            id=found.id,
            placed_at=found.placed_at,
            email=found.email or "",
            cake=Cake(found.size, found.flavour, found.frosting, found.topping),
            price_cents=found.price_cents,
            currency=found.currency,
            status=found.status,
            pickup_at=found.pickup_at,
            inscription=found.inscription,
            note=found.note,
            request_fingerprint=found.request_fingerprint,
        )

    def record_event(
        self, *, order_id: int, kind: str, actor: str, at: datetime, note: str | None = None
    ) -> None:
        """Add a step to an order's timeline."""
        values = {"order_id": order_id, "kind": kind, "actor": actor, "note": note, "at": at}
        self._session.execute(_INSERT_EVENT, values)

    def get(self, order_id: int) -> Order | None:
        """One order with its customer."""
        return self._session.get(Order, order_id)

    def locked(self, order_id: int) -> Order | None:
        """One order, locked until commit and read fresh (for a change of status)."""
        # The customer is loaded separately so that FOR UPDATE locks the order row alone.
        query = (
            sa.select(Order)
            .where(Order.id == order_id)
            .options(orm.lazyload(Order.customer))
            .execution_options(populate_existing=True)
        )
        found: Order | None = self._session.scalars(
            lock_for_update(query, self._session)
        ).one_or_none()
        return found

    def latest_for_customer(self, customer_id: int) -> Order | None:
        """The customer's most recent order, if any."""
        query = sa.select(Order).where(Order.customer_id == customer_id).order_by(Order.id.desc())
        return self._session.scalars(query.limit(1)).first()

    def open_for_customer(self, customer_id: int) -> list[OpenOrder]:
        """The customer's orders still to be picked up (placed or ready), oldest first."""
        rows = self._session.execute(_OPEN_FOR_CUSTOMER, {"customer_id": customer_id})
        return [OpenOrder(*row) for row in rows]


def _row(order: NewOrder) -> dict[str, object]:
    cake = order.cake
    return {
        "customer_id": order.customer_id,
        "size": cake.size,
        "flavour": cake.flavour,
        "frosting": cake.frosting,
        "topping": cake.topping,
        "price_cents": order.price_cents,
        "currency": order.currency,
        "status": OrderStatus.PLACED,
        "source": order.source,
        "idempotency_key": order.idempotency_key,
        "request_fingerprint": order.request_fingerprint,
        "placed_at": order.placed_at,
        "pickup_at": order.pickup_at,
        **_lines(order.line_cents),
        "allergens": None if order.line_cents is None else encode(order.allergens),
        "may_contain": None if order.line_cents is None else order.may_contain,
        "inscription": order.inscription,
        "note": order.note,
    }


def _lines(line_cents: Mapping[OptionKind, int] | None) -> dict[str, int | None]:
    known = line_cents or {}
    return {f"{kind.value}_cents": known.get(kind) for kind in OptionKind}
