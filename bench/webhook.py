"""Benchmark the Twilio Messaging webhook under gunicorn: many customers ordering at once.

Starts `cloudcity serve --prod --workers N` on a fresh SQLite file (or --database-url) with a
test TWILIO_AUTH_TOKEN, so every request is signed exactly as Twilio signs it. Then C simulated
customers each run a whole conversation concurrently, and /healthz is measured at the same
concurrency for comparison. Prints messages/s, p50/p99 latency, orders completed, /healthz
requests/s and the ratio.

    .venv/bin/python bench/webhook.py --customers 200
    .venv/bin/python bench/webhook.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    workdir: Path, *, port: int, workers: int, database_url: str
) -> subprocess.Popen[bytes]:
    """`cloudcity serve --prod` in a subprocess, its log in the work folder."""
    env = {
        **os.environ,
        "CLOUDCITY_ENV": "development",
        "CLOUDCITY_DATABASE_URL": database_url,
        "CLOUDCITY_VAR_DIR": str(workdir / "var"),
        "CLOUDCITY_HOST": "127.0.0.1",
        "CLOUDCITY_PORT": str(port),
        "CLOUDCITY_RUN_WORKER_IN_APP": "false",
        "TWILIO_AUTH_TOKEN": TOKEN,
    }
    cloudcity = Path(sys.executable).with_name("cloudcity")
    command = [str(cloudcity), "serve", "--prod", "--workers", str(workers)]
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)


async def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll /healthz until the server answers 200."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit("the server exited early; see server.log")
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f}s")


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
    http: aiohttp.ClientSession, url: str, number: int, run: str, stats: Stats
) -> None:
    """One customer's whole conversation, from `restart` to a placed order."""
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


async def run(args: argparse.Namespace, base: str, run_id: str) -> tuple[Stats, float, float]:
    """The conversations, then /healthz at the same concurrency."""
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=args.customers)
    timeout = aiohttp.ClientTimeout(total=60)
    url = base + "/twilio/messages"
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(converse(http, url, n, run_id, stats) for n in range(args.customers))),
            timeout=args.timeout,
        )
        elapsed = time.perf_counter() - started
        health = await hammer_health(
            http, base, clients=args.customers, seconds=args.health_seconds
        )
    return stats, elapsed, health


def count_orders(database_url: str, run_id: str) -> int:
    """Orders this run placed, counted in the database itself."""
    database = Database.connect(database_url)
    try:
        with database.unit_of_work() as session:
            mine = Order.idempotency_key.like(f"chat:SM{run_id}%")
            return int(session.scalar(sa.select(sa.func.count()).where(mine)) or 0)
    finally:
        database.dispose()


def report(stats: Stats, elapsed: float, health: float, placed: int, customers: int) -> None:
    """Print the figures."""
    latencies = sorted(stats.latencies)
    rate = len(latencies) / elapsed
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"customers          {customers}")
    print(f"messages           {len(latencies)} in {elapsed:.1f}s, {stats.errors} errors")
    print(f"messages/s         {rate:.1f}")
    print(f"latency p50        {statistics.median(latencies) * 1000:.1f} ms")
    print(f"latency p99        {p99 * 1000:.1f} ms")
    print(f"orders completed   {stats.orders} (in the database: {placed})")
    print(f"/healthz req/s     {health:.1f}")
    print(f"messages : healthz {rate / health:.2f}")


def main() -> None:
    """Parse options, start the server, run the benchmark, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp folder")
    parser.add_argument("--timeout", type=float, default=300, help="bound on the whole run (s)")
    parser.add_argument("--health-seconds", type=float, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cloudcity-bench-") as folder:
        workdir = Path(folder)
        database_url = args.database_url or str(workdir / "cloudcity.db")
        port = free_port()
        server = start_server(workdir, port=port, workers=args.workers, database_url=database_url)
        base = f"http://127.0.0.1:{port}"
        run_id = uuid.uuid4().hex[:8]
        try:
            asyncio.run(wait_until_up(base, server, timeout=60))
            stats, elapsed, health = asyncio.run(run(args, base, run_id))
        finally:
            server.terminate()
            server.wait(timeout=30)
        report(stats, elapsed, health, count_orders(database_url, run_id), args.customers)


if __name__ == "__main__":
    main()
