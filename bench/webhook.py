"""Benchmark the Twilio Messaging webhook under gunicorn: many customers ordering at once.

Starts `cloudcity serve --prod --workers N` on a fresh SQLite file (or --database-url) with a
test TWILIO_AUTH_TOKEN, so every request is signed exactly as Twilio signs it. Then C simulated
customers each run a whole conversation concurrently, and /healthz is measured at the same
concurrency for comparison. Prints messages/s, p50/p99 latency, orders completed, /healthz
requests/s and the ratio.

    .venv/bin/python -m bench.webhook --customers 200
    .venv/bin/python -m bench.webhook --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import aiohttp
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bench._harness import fresh_database, gunicorn
from cloudcity.db import Database
from cloudcity.db.models import Order

TOKEN = "bench-auth-token-0123456789abcdef"
SHOP = "whatsapp:+14155238886"
SIZES = ["Small", "Medium", "Large", "2", "larg"]
FLAVOURS = ["Vanilla", "chocolate", "red velvet", "vanila", "3"]
FROSTINGS = ["Buttercream", "cream cheese", "1", "ganache"]
TOPPINGS = ["None", "sprinkles", "fresh berries", "2"]
MAX_MESSAGES = 20


@dataclass
class Stats:
    """Latencies of webhook requests and what came of them."""

    latencies: list[float] = field(default_factory=list)
    orders: int = 0
    errors: int = 0


def answer_to(reply: str, rng: random.Random, number: int) -> str | None:
    """What a customer answers to the shop's reply; None when the order is placed."""
    cues = [
        ("Done! Order #", None),
        ("What size", rng.choice(SIZES)),
        ("Which flavour", rng.choice(FLAVOURS)),
        ("Which frosting", rng.choice(FROSTINGS)),
        ("topping?", rng.choice(TOPPINGS)),
        ("Shall we place", "yes"),
        ("order as", "yes"),
        ("What name", f"Customer {number}"),
        ("What email", f"customer{number}@example.com"),
    ]
    for cue, answer in cues:
        if cue in reply:
            return answer
    return "restart"


async def converse(
    http: aiohttp.ClientSession, url: str, number: int, run: str, stats: Stats, think: float
) -> None:
    """One customer's whole conversation, pausing about `think` seconds before each answer."""
    rng = random.Random(number)
    address = f"whatsapp:+1415555{number:04d}"
    validator = RequestValidator(TOKEN)
    text: str | None = "restart"
    for sequence in range(MAX_MESSAGES):
        if text is None:
            stats.orders += 1
            return
        params = {
            "MessageSid": f"SM{run}{number:06d}{sequence:04d}",
            "AccountSid": "AC" + "0" * 32,
            "From": address,
            "To": SHOP,
            "Body": text,
            "NumMedia": "0",
            "ProfileName": f"Customer {number}",
            "WaId": address.removeprefix("whatsapp:+"),
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        started = time.perf_counter()
        async with http.post(url, data=params, headers=headers) as response:
            body = await response.read()
        stats.latencies.append(time.perf_counter() - started)
        if response.status != 200:
            stats.errors += 1
            return
        message = ET.fromstring(body).find("Message")
        text = answer_to(message.text or "" if message is not None else "", rng, number)


async def hammer_health(
    http: aiohttp.ClientSession, base: str, *, clients: int, seconds: float
) -> float:
    """/healthz requests per second with `clients` concurrent loops for `seconds`."""
    done = 0
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            async with http.get(base + "/healthz") as response:
                await response.read()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return done / (time.perf_counter() - started)


async def conversations(
    base: str, run_id: str, customers: range, *, think: float, timeout: float
) -> tuple[Stats, float]:
    """Every customer's conversation at once; the stats and the seconds it took."""
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=len(customers))
    url = base + "/twilio/messages"
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as http:
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(converse(http, url, n, run_id, stats, think) for n in customers)),
            timeout=timeout,
        )
        return stats, time.perf_counter() - started


async def health_rate(base: str, *, clients: int, seconds: float) -> float:
    """/healthz requests per second at the given concurrency."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        return await hammer_health(http, base, clients=clients, seconds=seconds)


def count_orders(database_url: str, run_id: str) -> int:
    """Orders this run placed, counted in the database itself."""
    database = Database.connect(database_url)
    try:
        with database.unit_of_work() as session:
            mine = Order.idempotency_key.like(f"chat:SM{run_id}%")
            return int(session.scalar(sa.select(sa.func.count()).where(mine)) or 0)
    finally:
        database.dispose()


def report(title: str, stats: Stats, elapsed: float, health: float) -> float:
    """Print one phase's figures; answer its messages/s."""
    latencies = sorted(stats.latencies)
    rate = len(latencies) / elapsed
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"== {title}")
    print(f"  messages           {len(latencies)} in {elapsed:.1f}s, {stats.errors} errors")
    print(f"  messages/s         {rate:.1f}   ({rate / health:.0%} of /healthz)")
    print(f"  latency p50        {statistics.median(latencies) * 1000:.1f} ms")
    print(f"  latency p99        {p99 * 1000:.1f} ms")
    print(f"  orders completed   {stats.orders}")
    return rate


def main() -> None:
    """Parse options, start the server, run both phases, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per worker")
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is made in it)")
    parser.add_argument("--timeout", type=float, default=300, help="bound on each phase (s)")
    parser.add_argument("--health-seconds", type=float, default=5)
    args = parser.parse_args()
    signed = {"TWILIO_AUTH_TOKEN": TOKEN}  # so every request is signature-checked
    with (
        fresh_database(args.database_url) as database_url,
        gunicorn(
            database_url, workers=args.workers, threads=args.threads, extra_env=signed
        ) as base,
    ):
        measure(args, base, uuid.uuid4().hex[:8], database_url)


def measure(args: argparse.Namespace, base: str, run_id: str, database_url: str) -> None:
    """Flat out, then paced at half that rate (customers who pause between answers)."""
    n = args.customers
    health = asyncio.run(health_rate(base, clients=n, seconds=args.health_seconds))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"webhook on {backend}, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{n} customers at once"
    )
    print(f"/healthz req/s       {health:.1f}")
    stats, elapsed = asyncio.run(
        conversations(base, run_id, range(n), think=0, timeout=args.timeout)
    )
    rate = report("flat out (no pause between answers)", stats, elapsed, health)
    # Each customer pauses so that all of them together send about half the flat-out rate.
    think = n / (rate / 2)
    paced, paced_elapsed = asyncio.run(
        conversations(base, run_id, range(n, 2 * n), think=think, timeout=args.timeout)
    )
    report(f"paced at about half that rate (pause ~{think:.1f}s)", paced, paced_elapsed, health)
    print(f"orders in the database {count_orders(database_url, run_id)} of {2 * n}")


if __name__ == "__main__":
    main()
