"""Orders placed at the same moment on separate connections stay consistent."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from cloudcity.clock import system_clock
from cloudcity.db import Database
from cloudcity.db.models import Customer, Order
from cloudcity.domain import Cake
from cloudcity.orders import OrderRequest, Placed, place_order
from cloudcity.phones import parse_address

CAKE = Cake(size="Small", flavour="Vanilla", frosting="Buttercream", topping="None")


def _request(key: str | None = None) -> OrderRequest:
    return OrderRequest(
        address=parse_address("+14155550177"),
        name="Cy",
        email="cy@example.com",
        currency="USD",
        cake=CAKE,
        idempotency_key=key,
        fingerprint="same" if key else None,
    )


def _at_once(count: int, work: Callable[[], Placed]) -> list[Placed | BaseException]:
    barrier = threading.Barrier(count)
    results: list[Placed | BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        except BaseException as exc:  # collected and asserted on below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _place(database: Database, key: str | None) -> Callable[[], Placed]:
    def work() -> Placed:
        with database.unit_of_work() as uow:
            return place_order(uow=uow, request=_request(key), now=system_clock(), reminder_hour=10)

    return work


def test_concurrent_orders_from_a_new_customer_make_one_customer(database: Database) -> None:
    results = _at_once(6, _place(database, None))
    assert all(isinstance(r, Placed) for r in results), results
    with database.unit_of_work() as uow:
        session = uow.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 6


def test_concurrent_retries_with_one_idempotency_key_make_one_order(database: Database) -> None:
    results = _at_once(6, _place(database, "retry-me"))
    placed = [r for r in results if isinstance(r, Placed)]
    assert len(placed) == 6, results
    assert len({p.order.id for p in placed}) == 1
    assert sum(not p.replayed for p in placed) == 1
    with database.unit_of_work() as uow:
        session = uow.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
