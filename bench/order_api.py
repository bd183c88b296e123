"""Benchmark the order API under gunicorn (2 workers) on a fresh database.

    .venv/bin/python -m bench.order_api                       # SQLite file in a temp folder
    .venv/bin/python -m bench.order_api --database-url postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python -m bench.order_api --app-root ../wt-old  # another checkout's code, same bench

Closed loop with wrk (one thread, 4 connections, a warm-up then --seconds): GET /healthz (the
framework's ceiling here), GET /api/pricecalculator, POST /api/order (a new, valid phone number
per request, prepared here and read by bench/wrk/order.lua), and the same POST for a customer
who already has 10,000 orders (seeded with plain SQL). Each POST phase is followed by an open
loop at half the closed-loop rate for its p99: wrk cannot pace requests and Debian has no wrk2,
so that phase uses aiohttp from this process, which at half rate is lightly loaded (its CPU
share is printed too). Beside every figure: the client's CPU (wrk's, from wait4) as a share of
one core and of the machine, the server's (gunicorn's process group, from /proc) and the rest.
Any answer other than 201 with an order id fails the bench, and every confirmed order must be
in the database afterwards.

The app runs only through `APP_ROOT/.venv/bin/cloudcity serve --prod` (which migrates), and the
database is seeded and checked with plain SQL, so the bench imports nothing of cloudcity.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import phonenumbers
import sqlalchemy as sa

from bench import _orders, _wrk
from bench._harness import (
    Request,
    Result,
    Server,
    add_server_options,
    describe_app,
    describe_machine,
    fresh_database,
    gunicorn,
    open_calendar,
    open_loop,
    sql_engine,
)

CAKE = {"size": "Medium", "flavour": "Chocolate", "frosting": "Buttercream", "topping": "None"}
PRICE = "size=Medium&flavour=Chocolate&frosting=Buttercream&topping=None"
HEAVY_PHONE = "+14155550123"
HEAVY_ORDERS = 10_000


class PhoneBook:
    """Distinct valid US numbers (as `phonenumbers` and so the server see them), each once."""

    def __init__(self) -> None:
        self._numbers = self._generate()

    @staticmethod
    def _generate() -> Iterator[str]:
        for candidate in range(4_152_000_000, 4_159_999_999):
            number = f"+1{candidate}"
            valid = phonenumbers.is_valid_number(phonenumbers.parse(number))
            if valid and number != HEAVY_PHONE:
                yield number

    def take(self, count: int) -> list[str]:
        """`count` numbers never handed out before."""
        return list(itertools.islice(self._numbers, count))


class Bench:
    """The phases against one running server; figures are printed as they come."""

    def __init__(
        self, server: Server, engine: sa.Engine, args: argparse.Namespace, folder: Path
    ) -> None:
        self.server, self.engine, self.args, self.folder = server, engine, args, folder
        self.phones = PhoneBook()
        self.confirmed: list[int] = []
        self.wrk_runs = 0
        self.problems: list[str] = []

    def closed(
        self,
        name: str,
        path: str,
        *,
        fresh_rate: float = 0,
        same: list[str] | None = None,
        pickups: list[str] | None = None,
    ) -> _wrk.Run:
        """A warm-up then the measured wrk run: GET, or POST /api/order with fresh numbers for
        up to `fresh_rate` requests a second (each used once), or cycling through `same`."""
        url = self.server.base + path
        for label, seconds in (("warm-up", self.args.warmup), (name, self.args.seconds)):
            fresh = math.ceil(fresh_rate * seconds * 1.5) + 1000 if fresh_rate else 0
            numbers = same or self.phones.take(fresh)
            data = self._write(numbers, pickups or []) if numbers else None
            script = "order.lua" if numbers else "get.lua"
            group = self.server.group
            run = _wrk.run(label, url, script, seconds=seconds, server_group=group, data=data)
            self.wrk_runs += 1
            self.confirmed += run.ids
            self._problems(label, run.problems(201 if numbers else 200, unique=same is None))
        _wrk.print_run(run)
        return run

    def _write(self, numbers: list[str], pickups: list[str]) -> Path:
        """A file of numbers, one a line (each with a pickup slot id, when given), for order.lua."""
        path = self.folder / f"phones-{self.wrk_runs}.txt"
        if pickups:
            numbers = [f"{n} {pickups[i % len(pickups)]}" for i, n in enumerate(numbers)]
        path.write_text("\n".join(numbers) + "\n")
        return path

    def paced(self, name: str, rate: float, phones: list[str] | None) -> Result:
        """An open loop of POST /api/order at `rate`, fresh numbers unless given a list."""
        seconds = self.args.seconds
        numbers = phones or self.phones.take(math.ceil(rate * seconds) + 10)
        request = order_request(self.server.base, numbers, self.confirmed)
        group = self.server.group
        result = open_loop(name, request, rate=rate, seconds=seconds, server_group=group)
        print(
            _wrk.line(
                name,
                result.rate,
                result.percentile(50),
                result.percentile(99),
                len(result.latencies),
                result.failures,
            )
        )
        assert result.cpu is not None
        print(f"    cpu (aiohttp) {result.cpu.text()}")
        if result.failures:
            self._problems(name, [f"{result.failures} requests failed"])
        return result

    def _problems(self, name: str, found: list[str]) -> None:
        for problem in found:
            print(f"  !! {name}: {problem}", file=sys.stderr)
            self.problems.append(f"{name}: {problem}")


def order_request(base: str, numbers: list[str], confirmed: list[int]) -> Request:
    """POST /api/order for numbers[i] (cycling); keeps the confirmed order ids."""

    async def send(session: aiohttp.ClientSession, i: int) -> bool:
        customer = {"number": numbers[i % len(numbers)], "name": "Bench", "email": "b@example.com"}
        body = {"customer": customer, "cake": CAKE, "price": 30}
        async with session.post(f"{base}/api/order", json=body) as response:
            answer = await response.read()
            if response.status != 201:
                return False
        confirmed.append(int(json.loads(answer)["order_id"]))
        return True

    return send


def seed_heavy_customer(engine: sa.Engine, count: int) -> None:
    """Give one customer `count` orders, straight into the database with plain SQL."""
    customer = sa.text(
        "INSERT INTO customers (phone, channel, name, email, opted_out, created_at, updated_at)"
        " VALUES (:phone, 'sms', 'Heavy', 'heavy@example.com', FALSE,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    orders = sa.text(
        "INSERT INTO orders (customer_id, size, flavour, frosting, topping, price_cents,"
        " currency, status, source, placed_at)"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
        " SELECT :customer, 'Small', 'Vanilla', 'Buttercream', 'None', 2000, 'USD', 'placed',"
        " 'api', CURRENT_TIMESTAMP FROM n"
    )
    with engine.begin() as connection:
        connection.execute(customer, {"phone": HEAVY_PHONE})
        found = sa.text("SELECT id FROM customers WHERE phone = :phone")
        customer_id = connection.scalar(found, {"phone": HEAVY_PHONE})
        connection.execute(orders, {"count": count, "customer": customer_id})


def measure(bench: Bench) -> None:
    """Run every phase against a running server, printing as it goes, then the ratios."""
    health = bench.closed("GET /healthz", "/healthz")
    price = bench.closed("GET /api/pricecalculator", f"/api/pricecalculator?{PRICE}")
    order = bench.closed("POST /api/order", "/api/order", fresh_rate=health.rate)
    half = bench.paced("POST /api/order @ half rate", order.rate / 2, None)
    seed_heavy_customer(bench.engine, HEAVY_ORDERS)
    heavy = bench.closed("POST /api/order (10k-order cust.)", "/api/order", same=[HEAVY_PHONE])
    heavy_half = bench.paced("  same @ half rate", order.rate / 2, [HEAVY_PHONE])
    print(f"GET /api/pricecalculator / healthz {price.rate / health.rate:6.1%}")
    print(f"POST /api/order / healthz rate     {order.rate / health.rate:6.1%}   (target >= 50%)")
    print(f"p99 at half rate                   {half.percentile(99):6.1f} ms (target < 25 ms)")
    print(f"10k-order customer / new customers {heavy.rate / order.rate:6.1%}   (target >= 90%)")
    print(f"10k-order p99 at half rate         {heavy_half.percentile(99):6.1f} ms")
    if bench.args.pickup:
        slots = open_calendar_slots(bench)
        timed = bench.closed(
            "POST /api/order + pickup_at", "/api/order", fresh_rate=health.rate, pickups=slots
        )
        print(f"POST + pickup_at / healthz rate     {timed.rate / health.rate:6.1%}")
    check_orders(bench)


def open_calendar_slots(bench: Bench) -> list[str]:
    """Room for every order; the free slot ids of the next 60 days."""
    open_calendar(bench.engine)
    url = f"{bench.server.base}/api/pickup-slots?days=60"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return [slot["id"] for slot in json.load(answer)["slots"]]


def check_orders(bench: Bench) -> None:
    """Every order the server confirmed is in the database (plain SQL)."""
    with bench.engine.connect() as connection:
        total = connection.scalar(sa.text("SELECT count(*) FROM orders")) or 0
    placed = int(total) - HEAVY_ORDERS
    stored = _orders.stored(bench.engine, bench.confirmed)
    bench._problems(
        "orders", _orders.check_confirmed(bench.confirmed, stored, placed, bench.wrk_runs)
    )
    print(
        f"orders confirmed {len(bench.confirmed)}, found {len(stored)} of them in the database "
        f"({placed - len(stored)} more placed by requests in flight when wrk stopped)"
    )


def main() -> None:
    """Parse arguments, run the benchmark, print the figures; exit 1 on any failed request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--warmup", type=int, default=2, help="wrk warm-up before each run (s)")
    parser.add_argument(
        "--pickup", action="store_true", help="also order with pickup_at (code with a calendar)"
    )
    args = parser.parse_args()
    _wrk.ensure_wrk()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"== order API on {backend}, gunicorn {args.workers} workers x {args.threads} threads; "
        f"wrk -t{_wrk.THREADS} -c{_wrk.CONNECTIONS} {args.seconds}s after {args.warmup}s warm-up"
    )
    print(f"   app: {describe_app(args.app_root)}")
    print(f"   {describe_machine()}")
    with (
        fresh_database(args.database_url) as url,
        sql_engine(url) as engine,
        gunicorn(url, app_root=args.app_root, workers=args.workers, threads=args.threads) as server,
        tempfile.TemporaryDirectory(prefix="cc-bench-orders-") as folder,
    ):
        bench = Bench(server, engine, args, Path(folder))
        measure(bench)
    if bench.problems:
        sys.exit(f"FAILED: {len(bench.problems)} problems (see above)")


if __name__ == "__main__":
    main()
