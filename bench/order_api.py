"""Benchmark the order API under gunicorn (2 workers) on a fresh database.

    .venv/bin/python -m bench.order_api                       # SQLite file in a temp folder
    .venv/bin/python -m bench.order_api --database-url postgresql+psycopg://postgres@127.0.0.1/test

Prints requests/s and p50/p99 for GET /healthz (the framework's ceiling here), GET
/api/pricecalculator and POST /api/order (closed loop, then open loop at half the closed-loop
rate), and the same POST for a customer who already has 10,000 orders.
"""

from __future__ import annotations

import argparse
import asyncio
import random

import aiohttp
import phonenumbers
import sqlalchemy as sa

from bench._harness import Result, closed_loop, fresh_database, gunicorn, open_loop
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import Channel, Customer, Order

CAKE = {"size": "Medium", "flavour": "Chocolate", "frosting": "Buttercream", "topping": "None"}
HEAVY_PHONE = "+14155550123"


def phones(count: int) -> list[str]:
    """Distinct valid US numbers."""
    found: set[str] = set()
    rng = random.Random(7)
    while len(found) < count:
        number = f"+1415{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            found.add(number)
    return sorted(found)


def order_request(base: str, numbers: list[str]) -> object:
    """POST /api/order, a new customer each time."""

    async def send(session: aiohttp.ClientSession, i: int) -> bool:
        customer = {"number": numbers[i % len(numbers)], "name": "Bench", "email": "b@example.com"}
        body = {"customer": customer, "cake": CAKE, "price": 30}
        async with session.post(f"{base}/api/order", json=body) as response:
            await response.read()
            return response.status == 201

    return send


def get_request(url: str) -> object:
    """A GET that must answer 200."""

    async def send(session: aiohttp.ClientSession, _i: int) -> bool:
        async with session.get(url) as response:
            await response.read()
            return response.status == 200

    return send


def seed_heavy_customer(database_url: str, count: int) -> None:
    """Give one customer `count` orders, straight into the database."""
    database = Database.connect(database_url)
    now = utcnow()
    with database.unit_of_work() as session:
        customer = Customer(
            phone=HEAVY_PHONE,
            channel=Channel.SMS,
            name="Heavy",
            email="heavy@example.com",
            created_at=now,
            updated_at=now,
        )
        session.add(customer)
        session.flush()
        rows = [
            {
                "customer_id": customer.id,
                "size": "Small",
                "flavour": "Vanilla",
                "frosting": "Buttercream",
                "topping": "None",
                "price_cents": 2000,
                "currency": "USD",
                "status": "placed",
                "source": "api",
                "placed_at": now,
            }
            for _ in range(count)
        ]
        session.execute(sa.insert(Order), rows)
    database.dispose()


async def measure(base: str, database_url: str, args: argparse.Namespace) -> list[Result]:
    """Run every phase against a running server."""
    s, c = args.seconds, args.concurrency
    cake = "size=Medium&flavour=Chocolate&frosting=Buttercream&topping=None"
    quote = f"{base}/api/pricecalculator?{cake}"
    numbers = phones(4000)
    health = await closed_loop(
        "GET /healthz", get_request(f"{base}/healthz"), concurrency=c, seconds=s
    )  # type: ignore[arg-type]
    price = await closed_loop(
        "GET /api/pricecalculator", get_request(quote), concurrency=c, seconds=s
    )  # type: ignore[arg-type]
    order = await closed_loop(
        "POST /api/order", order_request(base, numbers), concurrency=c, seconds=s
    )  # type: ignore[arg-type]
    half = await open_loop(
        "POST /api/order @ half rate",
        order_request(base, numbers),  # type: ignore[arg-type]
        rate=order.rate / 2,
        seconds=s,
    )
    seed_heavy_customer(database_url, 10_000)
    heavy = await closed_loop(
        "POST /api/order (10k-order cust.)",
        order_request(base, [HEAVY_PHONE]),  # type: ignore[arg-type]
        concurrency=c,
        seconds=s,
    )
    heavy_half = await open_loop(
        "  same @ half rate",
        order_request(base, [HEAVY_PHONE]),  # type: ignore[arg-type]
        rate=order.rate / 2,
        seconds=s,
    )
    return [health, price, order, half, heavy, heavy_half]


def report(results: list[Result], backend: str, threads: int) -> None:
    """Print every figure and the ratios the issue sets targets for."""
    health, _price, order, half, heavy, heavy_half = results
    print(f"\n== order API on {backend}, gunicorn 2 workers x {threads} threads ==")
    for result in results:
        print(result.line())
    print(f"POST /api/order / healthz rate     {order.rate / health.rate:6.1%}   (target >= 50%)")
    print(f"p99 at half rate                   {half.percentile(99):6.1f} ms (target < 25 ms)")
    print(f"10k-order customer / new customers {heavy.rate / order.rate:6.1%}   (target >= 90%)")
    print(f"10k-order p99 at half rate         {heavy_half.percentile(99):6.1f} ms")


def main() -> None:
    """Parse arguments, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; default: a fresh SQLite file")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per worker")
    args = parser.parse_args()
    with fresh_database(args.database_url) as url, gunicorn(url, threads=args.threads) as base:
        results = asyncio.run(measure(base, url, args))
    report(results, "PostgreSQL" if args.database_url else "SQLite", args.threads)


if __name__ == "__main__":
    main()
