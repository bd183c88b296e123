"""Seed a big shop (100,000 orders over 5,000 customers) and time the admin pages.

    .venv/bin/python -m bench.admin                     # fresh SQLite file in a temp folder
    .venv/bin/python -m bench.admin --orders 20000 --repeat 20
    .venv/bin/python -m bench.admin --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

With --database-url the data goes into a fresh schema, dropped afterwards.
Pages are requested through Flask's test client, logged in as a baker (real login form, CSRF
on); the figures are server-side times (routing, queries, templates), p50 and p99 over
--repeat requests each. Page 50 of the orders list is reached by its keyset cursor
(`?before=<id>`), found by walking the first 49 pages.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask.testing import FlaskClient

from bench._harness import fresh_database
from cloudcity import admins, menu
from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Customer, Order
from cloudcity.domain import Channel, OptionKind, OrderStatus
from cloudcity.queries.orders import OrderFilter, find_orders
from cloudcity.search_terms import fold
from cloudcity.web import create_app

CHUNK = 5_000
BAKER = "bench-baker"
PASSWORD = "bench-password-123"
TARGET_MS = 100.0
FIRST_NAMES = ("María", "Sam", "Zoë", "Anna", "Björn", "Chloé", "Bob", "Léa", "Omar", "Ines")
LAST_NAMES = ("López", "Park", "Müller", "Stone", "Nguyễn", "O'Neil", "García", "Lee", "Dubois")


def main() -> int:
    """Seed, log in, time each page, print the table; exit 1 when a page misses the target."""
    args = _arguments()
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as var_dir:
        database = Database.connect(url)
        started = time.perf_counter()
        seeded = seed(database, orders=args.orders, customers=args.customers, seed=args.seed)
        print(
            f"seeded {args.orders:,} orders over {args.customers:,} customers "
            f"in {time.perf_counter() - started:.1f}s ({database.engine.dialect.name})"
        )
        client = logged_in_client(database, url, var_dir)
        results = [
            (name, timings(client, path, args.repeat)) for name, path in pages(database, seeded)
        ]
        database.dispose()
    return report(results)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=50, help="requests per page")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the data")
    return parser.parse_args()


class Seeded:
    """What the timed requests need to know about the seeded data."""

    def __init__(self, customer: Customer, order_id: int) -> None:
        self.phone = customer.phone
        self.email = customer.email or ""
        self.surname = (customer.name or "").split()[-1]
        self.order_id = order_id


def seed(database: Database, *, orders: int, customers: int, seed: int) -> Seeded:
    """Migrate and fill the fresh database with customers and orders in bulk."""
    prepare(database)
    rng = random.Random(seed)
    with database.unit_of_work() as uow:
        menu.seed_default_menu(uow=uow)
        priced = {
            kind: [(o.name, o.price_cents) for o in options]
            for kind, options in uow.menu.orderable().items()
        }
    with database.unit_of_work() as uow:
        session = uow.session
        for rows in _chunks(_customer_rows(customers), CHUNK):
            session.execute(sa.insert(Customer), rows)
        uow.customers.index_unindexed()  # bulk rows bypass the repository: index them now
        customer_ids = list(session.scalars(sa.select(Customer.id)))
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        session = uow.session
        for rows in _chunks(_order_rows(rng, orders, customer_ids, priced, now), CHUNK):
            session.execute(sa.insert(Order), rows)
        if database.engine.dialect.name == "postgresql":
            session.execute(sa.text("ANALYZE"))  # what autovacuum would soon do after a load
        last = session.scalar(sa.select(sa.func.max(Order.id))) or 1
        middle = session.get(Order, max(1, last // 2))
        assert middle is not None
        return Seeded(middle.customer, middle.id)


def _customer_rows(count: int) -> Iterator[dict[str, Any]]:
    now = datetime.now(UTC)
    for n in range(count):
        yield {
            "phone": f"+1212{5550000 + n:07d}",
            "channel": Channel.WHATSAPP if n % 3 else Channel.SMS,
            "name": f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n // 10 % 9]}{n}",
            "email": f"customer{n}@example.com",
            "opted_out": False,
            "created_at": now,
            "updated_at": now,
        }


def _order_rows(
    rng: random.Random,
    count: int,
    customer_ids: list[int],
    priced: dict[OptionKind, list[tuple[str, int]]],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    # Spread over a year, oldest first, so ids grow with placed_at as they do in real life.
    span = timedelta(days=365).total_seconds()
    for n in range(count):
        placed_at = now - timedelta(seconds=span * (1 - n / count))
        choice = {kind.value: rng.choice(options) for kind, options in priced.items()}
        status = _status(rng, now - placed_at)
        yield {
            "customer_id": rng.choice(customer_ids),
            **{kind: name for kind, (name, _price) in choice.items()},
            "price_cents": sum(price for _name, price in choice.values()),
            "currency": "USD",
            "status": status,
            "source": "chat",
            "placed_at": placed_at,
            "ready_at": placed_at + timedelta(hours=20) if status != OrderStatus.PLACED else None,
            "picked_up_at": (
                placed_at + timedelta(hours=26) if status == OrderStatus.PICKED_UP else None
            ),
            "cancelled_at": placed_at if status == OrderStatus.CANCELLED else None,
        }


def _status(rng: random.Random, age: timedelta) -> OrderStatus:
    if age < timedelta(days=1):
        return OrderStatus.PLACED
    if age < timedelta(days=2):
        return OrderStatus.READY
    return OrderStatus.CANCELLED if rng.random() < 0.03 else OrderStatus.PICKED_UP


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def logged_in_client(database: Database, url: str, var_dir: str) -> FlaskClient:
    """A test client of the app (CSRF and all), logged in as a freshly made baker."""
    settings = Settings(
        _env_file=None,
        database_url=url,
        var_dir=var_dir,
        run_worker_in_app=False,
    )
    with database.unit_of_work() as uow:
        admins.create_user(uow=uow, username=BAKER, password=PASSWORD)
    client = create_app(settings, database=database).test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None, "no CSRF token on the login form"
    login = {"csrf_token": token.group(1), "username": BAKER, "password": PASSWORD}
    if client.post("/admin/login", data=login).status_code != 302:
        raise SystemExit("could not log in to the admin")
    return client


def pages(database: Database, seeded: Seeded) -> list[tuple[str, str]]:
    """The admin pages to time, by name."""
    return [
        ("orders, page 1", "/admin/orders"),
        ("orders, page 50", f"/admin/orders?before={page_cursor(database, 50)}"),
        ("orders, search by phone", f"/admin/orders?q={seeded.phone.replace('+', '%2B')}"),
        ("orders, search by surname", f"/admin/orders?q={_folded(seeded.surname)}"),
        ("orders, common surname", "/admin/orders?q=lopez"),
        ("orders, search by EMAIL", f"/admin/orders?q={seeded.email.upper()}"),
        ("orders, phone's last 4", f"/admin/orders?q={seeded.phone[-4:]}"),
        ("orders, phone 555-0100", f"/admin/orders?q={seeded.phone[-7:-4]}-{seeded.phone[-4:]}"),
        ("one order", f"/admin/orders/{seeded.order_id}"),
        ("dashboard", "/admin/"),
    ]


def _folded(name: str) -> str:
    """The name as a baker types it at the counter: no accents, lower case."""
    return quote(fold(name).replace("'", ""))


def page_cursor(database: Database, page: int) -> int:
    """The `before` cursor of the n-th page of the orders list (keyset pages, newest first)."""
    before: int | None = None
    with database.reading() as reading:
        for _ in range(page - 1):
            before = find_orders(reading.session, OrderFilter(), before=before).next_before
            if before is None:
                raise SystemExit(f"fewer than {page} pages of orders: seed more")
    assert before is not None
    return before


def timings(client: FlaskClient, path: str, repeat: int) -> list[float]:
    """Milliseconds per request for `repeat` requests after two warm-ups; 200 or it fails."""
    for _ in range(2):
        _get(client, path)
    return [_timed(lambda: _get(client, path)) for _ in range(repeat)]


def _get(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    response.close()


def _timed(call: Callable[[], None]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def report(results: list[tuple[str, list[float]]]) -> int:
    """Print p50/p99 per page; 1 when a page's p50 misses the target."""
    print(f"{'page':<26} {'p50 ms':>8} {'p99 ms':>8}  target p50 < {TARGET_MS:.0f} ms")
    missed = 0
    for name, ms in results:
        p50 = statistics.median(ms)
        p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
        flag = "ok" if p50 < TARGET_MS else "SLOW"
        missed += flag == "SLOW"
        print(f"{name:<26} {p50:>8.1f} {p99:>8.1f}  {flag}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
