"""Benchmark the Twilio Messaging webhook under gunicorn: many customers ordering at once.

    .venv/bin/python -m bench.webhook --customers 200
    .venv/bin/python -m bench.webhook --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.webhook --app-root ../wt-old     # another checkout's code

Starts `APP_ROOT/.venv/bin/cloudcity serve --prod` on a fresh SQLite file (or a fresh schema in
--database-url) with a test TWILIO_AUTH_TOKEN, so every request is signed as Twilio signs it and
checked. Closed loop with wrk (one thread, 4 connections, a warm-up then --seconds): GET
/healthz first (the ceiling), then POST /twilio/messages flat out. The messages are prepared
and signed here (bench/wrk/webhook.lua sends them in order): C customers, round-robin, each going
through whole conversations (restart, size, flavour, frosting, topping, yes, then name and email
the first time or "yes" to the details on file afterwards) and ordering again, so one customer's
next message comes ~C requests after its previous one, never while it is in flight. Any answer
other than a 200 reply that moves the conversation on fails the bench.

Then paced at half the flat-out rate: wrk cannot pace requests and Debian has no wrk2, so this
phase uses aiohttp from this process (lightly loaded at half rate; its CPU share is printed):
C other customers, one whole conversation each, pausing between answers. Beside every figure:
the client's CPU as a share of one core and of the machine, the server's (gunicorn's process
group) and the rest. Every order a reply confirmed must be in the database (plain SQL).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bench import _cpu, _orders, _wrk
from bench._harness import (
    Server,
    add_server_options,
    describe_app,
    describe_machine,
    fresh_database,
    gunicorn,
    open_calendar,
    sql_engine,
)

TOKEN = "bench-auth-token-0123456789abcdef"
SHOP = "whatsapp:+14155238886"
SIZES = ["Small", "Medium", "Large", "2", "larg"]
FLAVOURS = ["Vanilla", "chocolate", "red velvet", "vanila", "3"]
FROSTINGS = ["Buttercream", "cream cheese", "1", "ganache"]
TOPPINGS = ["None", "sprinkles", "fresh berries", "2"]
PICKUPS = ["1", "2", "3", "asap", "saturday", "sat 2pm", "next friday morning"]
MAX_MESSAGES = 20


def address(number: int) -> str:
    """Customer `number`'s WhatsApp address (+1 415 555 0000 to 9999 are valid numbers)."""
    return f"whatsapp:+1415555{number:04d}"


def form(number: int, sid: str, text: str) -> dict[str, str]:
    """Twilio's inbound-message form for one text from customer `number`."""
    sender = address(number)
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": SHOP,
        "Body": text,
        "NumMedia": "0",
        "ProfileName": f"Customer {number}",
        "WaId": sender.removeprefix("whatsapp:+"),
    }


def scripted_texts(number: int, *, classic: bool = False) -> Iterator[str]:
    """What customer `number` sends, conversation after conversation, when every answer is
    understood: the name and email the first time, "yes" to the details on file afterwards.
    The pickup answer is "asap", which the opened-up calendar (see main) always accepts.
    `classic`: the conversation before the calendar, with no pickup or inscription step."""
    rng = random.Random(number)
    for round_ in itertools.count():
        yield "restart"
        yield rng.choice(SIZES)
        yield rng.choice(FLAVOURS)
        yield rng.choice(FROSTINGS)
        yield rng.choice(TOPPINGS)
        if not classic:
            yield "asap"  # the earliest free slot: always one, with the calendar opened up
            yield "no"  # nothing written on the cake
        yield "yes"
        if round_ == 0:
            yield f"Customer {number}"
            yield f"customer{number}@example.com"
        else:
            yield "yes"


def prepare_messages(
    url: str, run: str, customers: range, count: int, folder: Path, *, classic: bool = False
) -> Path:
    """`count` signed messages, round-robin over the customers, as lines for webhook.lua."""
    validator = RequestValidator(TOKEN)
    streams = {number: scripted_texts(number, classic=classic) for number in customers}
    path = folder / f"messages-{run}.txt"
    with path.open("w") as out:
        for k in range(count):
            number = customers[k % len(customers)]
            params = form(number, f"SM{run}{k:024x}", next(streams[number]))
            out.write(f"{validator.compute_signature(url, params)}\t{urlencode(params)}\n")
    return path


@dataclass
class Stats:
    """Latencies of paced webhook requests and what came of them."""

    latencies: list[float] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
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
        ("written on the cake?", "no"),
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
    """One whole conversation, pausing about `think` seconds before each answer."""
    rng = random.Random(number)
    validator = RequestValidator(TOKEN)
    text: str | None = "restart"
    for sequence in range(MAX_MESSAGES):
        if text is None:
            return
        params = form(number, f"SM{run}{number:012x}{sequence:012x}", text)
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        started = time.perf_counter()
        async with http.post(url, data=params, headers=headers) as response:
            body = await response.read()
        stats.latencies.append(time.perf_counter() - started)
        if response.status != 200:
            stats.errors += 1
            return
        message = ET.fromstring(body).find("Message")
        reply = message.text or "" if message is not None else ""
        if reply.startswith("Done! Order #"):
            stats.orders.append(int(reply.removeprefix("Done! Order #").split()[0]))
        text = answer_to(reply, rng, number)
    stats.errors += 1  # the conversation never reached its order


async def conversations(
    base: str, run: str, customers: range, *, think: float, timeout: float
) -> tuple[Stats, float]:
    """Every customer at once, one whole conversation each."""
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=len(customers))
    url = base + "/twilio/messages"
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as http:
        started = time.perf_counter()
        talks = (converse(http, url, n, run, stats, think) for n in customers)
        await asyncio.wait_for(asyncio.gather(*talks), timeout=timeout)
        return stats, time.perf_counter() - started


def orders_of_run(engine: sa.Engine, run: str) -> set[int]:
    """Ids of the orders placed by this run's messages (their idempotency key holds the sid)."""
    query = sa.text("SELECT id FROM orders WHERE idempotency_key LIKE :key")
    with engine.connect() as connection:
        return set(connection.scalars(query, {"key": f"chat:SM{run}%"}))


class Bench:
    """The phases against one running server; figures are printed as they come."""

    def __init__(
        self, server: Server, engine: sa.Engine, args: argparse.Namespace, folder: Path
    ) -> None:
        self.server, self.engine, self.args, self.folder = server, engine, args, folder
        self.problems: list[str] = []

    def health(self) -> _wrk.Run:
        """/healthz with the same client and connections: the ceiling."""
        url = self.server.base + "/healthz"
        for name, seconds in (("warm-up", self.args.warmup), ("GET /healthz", self.args.seconds)):
            run = _wrk.run(name, url, "get.lua", seconds=seconds, server_group=self.server.group)
            self.fail(name, run.problems(200, unique=False))
        _wrk.print_run(run)
        return run

    def flat_out(self, ceiling: float) -> _wrk.Run:
        """Messages round-robin over the customers, flat out (after a warm-up of others)."""
        url = self.server.base + "/twilio/messages"
        n = self.args.customers
        phases = [
            ("warm-up", self.args.warmup, range(2 * n, 3 * n)),
            ("POST /twilio/messages (flat out)", self.args.seconds, range(n)),
        ]
        for name, seconds, customers in phases:
            run_id = uuid.uuid4().hex[:8]
            count = math.ceil(ceiling * seconds * 1.5) + 8 * n
            data = prepare_messages(
                url, run_id, customers, count, self.folder, classic=self.args.classic
            )
            run = _wrk.run(
                name, url, "webhook.lua", seconds=seconds, server_group=self.server.group, data=data
            )
            self.fail(name, run.problems(200, unique=True))
            self.check_orders(name, run.ids, orders_of_run(self.engine, run_id), in_flight=True)
        _wrk.print_run(run)
        print(f"    orders completed {len(run.ids)}")
        return run

    def paced(self, rate: float) -> None:
        """C other customers, one conversation each, pausing for about half the flat-out rate."""
        n, run_id = self.args.customers, uuid.uuid4().hex[:8]
        think = n / (rate / 2)
        name = f"  paced ~half rate (pause ~{think:.1f}s)"
        before = _cpu.Sample.now(self.server.group)
        own = _own_cpu()
        talk = conversations(
            self.server.base, run_id, range(n, 2 * n), think=think, timeout=self.args.timeout
        )
        stats, elapsed = asyncio.run(talk)
        cpu = _cpu.Sample.now(self.server.group).shares_since(
            before, client_seconds=_own_cpu() - own
        )
        latencies = sorted(stats.latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        p50 = statistics.median(latencies) * 1000
        print(_wrk.line(name, len(latencies) / elapsed, p50, p99, len(latencies), stats.errors))
        print(f"    cpu (aiohttp) {cpu.text()}")
        print(f"    orders completed {len(stats.orders)} of {n} conversations")
        if stats.errors:
            self.fail(name, [f"{stats.errors} requests failed or conversations went astray"])
        self.check_orders(name, stats.orders, orders_of_run(self.engine, run_id), in_flight=False)

    def check_orders(
        self, name: str, confirmed: list[int], stored: set[int], *, in_flight: bool
    ) -> None:
        """Every confirmed order is stored; wrk may leave one request per connection unread."""
        problems = _orders.check_confirmed(confirmed, stored, len(stored), 1 if in_flight else 0)
        self.fail(name, problems)

    def fail(self, name: str, problems: list[str]) -> None:
        """Print problems at once and remember them for the exit status."""
        for problem in problems:
            print(f"  !! {name}: {problem}", file=sys.stderr)
            self.problems.append(f"{name}: {problem}")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Parse options, start the server, run every phase, stop the server; exit 1 on failures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--warmup", type=int, default=2, help="wrk warm-up before each run (s)")
    parser.add_argument("--timeout", type=float, default=300, help="bound on the paced phase (s)")
    parser.add_argument(
        "--classic",
        action="store_true",
        help="the conversation before the calendar (for --app-root of an older checkout)",
    )
    args = parser.parse_args()
    if args.customers < 2 * _wrk.CONNECTIONS:
        parser.error(f"--customers must be at least {2 * _wrk.CONNECTIONS}")
    _wrk.ensure_wrk()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"== webhook on {backend}, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.customers} customers round-robin, signed; wrk -t{_wrk.THREADS} "
        f"-c{_wrk.CONNECTIONS} {args.seconds}s after {args.warmup}s warm-up"
    )
    print(f"   app: {describe_app(args.app_root)}")
    print(f"   {describe_machine()}")
    signed = {"TWILIO_AUTH_TOKEN": TOKEN}  # so every request is signature-checked
    with (
        fresh_database(args.database_url) as url,
        sql_engine(url) as engine,
        gunicorn(
            url,
            app_root=args.app_root,
            workers=args.workers,
            threads=args.threads,
            extra_env=signed,
        ) as server,
        tempfile.TemporaryDirectory(prefix="cc-bench-webhook-") as folder,
    ):
        bench = Bench(server, engine, args, Path(folder))
        if not args.classic:
            open_calendar(engine)  # thousands of orders: a full shop would measure refusals
        health = bench.health()
        flat = bench.flat_out(health.rate)
        print(f"    messages/s / healthz {flat.rate / health.rate:6.1%}")
        bench.paced(flat.rate)
    if bench.problems:
        sys.exit(f"FAILED: {len(bench.problems)} problems (see above)")


if __name__ == "__main__":
    main()
