"""Benchmark the Twilio Messaging webhook under gunicorn: many customers ordering at once.

Starts `cloudcity serve --prod --workers N` on a fresh SQLite file (or --database-url) with a
test TWILIO_AUTH_TOKEN, so every request is signed exactly as Twilio signs it. /healthz is
measured first at the same concurrency (the ceiling). Then C simulated customers chat at once:
flat out for --seconds (each starts a new order as soon as one is placed; returning customers
reuse their details), then paced at half that rate, one whole conversation each. Prints
messages/s, p50/p99 latency, orders completed and the ratio to /healthz.

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
PICKUPS = ["1", "2", "3", "asap", "saturday", "sat 2pm", "next friday morning"]
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
        ("pick it up?", rng.choice(PICKUPS)),
        ("Answer with its number", "1"),  # that time can't be had: take the first offered
        ("as a day or time", "1"),
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
    http: aiohttp.ClientSession,
    url: str,
    number: int,
    run: str,
    stats: Stats,
    *,
    think: float,
    until: float | None,
) -> None:
    """One customer's conversations: one, or one after another until `until` (perf_counter)."""
    rng = random.Random(number)
    for round_ in range(1000):
        sid_prefix = f"{run}{round_:03d}"
        ordered = await _conversation(http, url, number, sid_prefix, stats, rng, think, until)
        if not ordered or until is None:
            return


async def _conversation(
    http: aiohttp.ClientSession,
    url: str,
    number: int,
    run: str,
    stats: Stats,
    rng: random.Random,
    think: float,
    until: float | None = None,
) -> bool:
    """A whole conversation (cut short at `until`), pausing about `think` seconds before each
    answer; True when it placed its order."""
    address = f"whatsapp:+1415555{number:04d}"
    validator = RequestValidator(TOKEN)
    text: str | None = "restart"
    for sequence in range(MAX_MESSAGES):
        if text is None:
            stats.orders += 1
            return True
        if until is not None and time.perf_counter() >= until:
            return False  # the phase is over: leave this conversation unfinished
        params = {
            "MessageSid": f"SM{run}{number:06d}{sequence:02d}",
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
            return False
        message = ET.fromstring(body).find("Message")
        text = answer_to(message.text or "" if message is not None else "", rng, number)
    return False


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
    base: str,
    run_id: str,
    customers: range,
    *,
    think: float,
    timeout: float,
    seconds: float | None = None,
) -> tuple[Stats, float]:
    """Every customer at once, each for one conversation or, with `seconds`, for that long."""
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=len(customers))
    url = base + "/twilio/messages"
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as http:
        started = time.perf_counter()
        until = None if seconds is None else started + seconds
        talks = (converse(http, url, n, run_id, stats, think=think, until=until) for n in customers)
        await asyncio.wait_for(asyncio.gather(*talks), timeout=timeout)
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
    parser.add_argument("--health-seconds", type=float, default=8)
    parser.add_argument("--seconds", type=float, default=10, help="length of the flat-out phase")
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
    flat_out = conversations(
        base, run_id, range(n), think=0, timeout=args.timeout, seconds=args.seconds
    )
    stats, elapsed = asyncio.run(flat_out)
    rate = report(
        f"flat out for {args.seconds:.0f}s (no pause; a new order after each one)",
        stats,
        elapsed,
        health,
    )
    # Each customer pauses so that all of them together send about half the flat-out rate.
    think = n / (rate / 2)
    paced, paced_elapsed = asyncio.run(
        conversations(base, run_id, range(n, 2 * n), think=think, timeout=args.timeout)
    )
    report(f"paced at about half that rate (pause ~{think:.1f}s)", paced, paced_elapsed, health)
    placed = stats.orders + paced.orders
    print(f"orders in the database {count_orders(database_url, run_id)} of {placed} completed")


if __name__ == "__main__":
    main()
