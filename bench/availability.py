"""Availability from the database: pickup_query + free_slots over 60 days, 10,000 future orders.

    .venv/bin/python -m bench.availability                 # a fresh SQLite file
    .venv/bin/python -m bench.availability --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

With --database-url the data goes into a fresh schema, dropped afterwards. The shop is sized
so 10,000 orders fit the 60-day horizon (240 cakes a day, 16 a slot); orders and their
capacity counters are written with plain INSERTs (as `place_order` leaves them), then each
round opens a read session, reads the rules and the counters (`pickup.pickup_query`) and
lists every free slot (`calendar.free_slots`). Figures are printed, not asserted; on a
shared machine the wall p99 catches other processes' time slices.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

import sqlalchemy as sa

from bench._harness import fresh_database
from cloudcity.calendar import Capacity, bookable_slots, default_rules, free_slots
from cloudcity.cli import prepare
from cloudcity.db import Database
from cloudcity.db.models import Customer, Order, PickupDayCount, PickupSlotCount
from cloudcity.domain import Channel, OrderStatus
from cloudcity.pickup import pickup_query

ORDERS = 10_000
CUSTOMERS = 1_000
RULES = dataclasses.replace(
    default_rules("America/Los_Angeles"), capacity=Capacity(per_day=240, per_slot=16)
)
NOW = datetime(2026, 11, 24, 18, tzinfo=UTC)  # Tuesday 10:00 in Los Angeles


def seed(database: Database) -> None:
    """The bench's calendar, 1,000 customers and 10,000 future orders with their counters."""
    with database.unit_of_work() as uow:
        uow.calendar.save_rules(RULES, now=NOW)
    rng = random.Random(14)
    slots = bookable_slots(RULES, now=NOW, size=None)
    by_slot: Counter[datetime] = Counter()
    by_day: Counter[date] = Counter()
    picks: list[datetime] = []
    while len(picks) < ORDERS:
        slot = rng.choice(slots)
        if by_slot[slot.start] < 16 and by_day[slot.local_date] < 240:
            by_slot[slot.start] += 1
            by_day[slot.local_date] += 1
            picks.append(slot.start)
    with database.engine.begin() as connection:
        connection.execute(sa.insert(Customer), _customers())
        connection.execute(sa.insert(Order), [_order(n, start) for n, start in enumerate(picks)])
        slot_rows = [{"slot_start": s, "taken": n} for s, n in by_slot.items()]
        connection.execute(sa.insert(PickupSlotCount), slot_rows)
        day_rows = [{"day": d, "taken": n} for d, n in by_day.items()]
        connection.execute(sa.insert(PickupDayCount), day_rows)


def _customers() -> list[dict[str, object]]:
    return [
        {"id": n + 1, "phone": f"+1415600{n:04d}", "channel": Channel.SMS, "name": f"C {n}"}
        for n in range(CUSTOMERS)
    ]


def _order(n: int, pickup_at: datetime) -> dict[str, object]:
    return {
        "customer_id": n % CUSTOMERS + 1,
        "size": "Small",
        "flavour": "Vanilla",
        "frosting": "Buttercream",
        "topping": "None",
        "price_cents": 2000,
        "currency": "USD",
        "status": OrderStatus.PLACED,
        "placed_at": NOW,
        "pickup_at": pickup_at,
    }


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds per call, wall clock."""
    found = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        found.append((time.perf_counter() - started) * 1000)
    return sorted(found)


def report(name: str, figures: list[float]) -> None:
    """One line: p50, p99 and max."""
    p99 = figures[min(len(figures) - 1, int(len(figures) * 0.99))]
    print(
        f"{name:<44} p50 {statistics.median(figures):6.2f} ms  p99 {p99:6.2f} ms  "
        f"max {figures[-1]:6.2f} ms"
    )


def main() -> None:
    """Seed, warm up, then time the read path and its two halves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("-n", "--rounds", type=int, default=300)
    args = parser.parse_args()
    with fresh_database(args.database_url) as url:
        database = Database.connect(url)
        prepare(database)
        seed(database)
        run(database, args.rounds, url)
        database.dispose()


def run(database: Database, rounds: int, url: str) -> None:
    """Time each step and print the figures."""

    def both() -> object:
        with database.reading() as reading:
            return free_slots(pickup_query(reading, size="Small", now=NOW))

    def query_only() -> object:
        with database.reading() as reading:
            return pickup_query(reading, size="Small", now=NOW)

    with database.reading() as reading:
        query = pickup_query(reading, size="Small", now=NOW)
    free = free_slots(query)
    backend = url.split(":", 1)[0].split("+")[0] if "://" in url else "sqlite"
    print(
        f"{backend}: {ORDERS} future orders, {len(query.booked.by_slot)} slots booked over "
        f"{len(query.booked.by_day)} days; {len(free)} slots free; {rounds} rounds"
    )
    timed(both, 20)  # warm-up: connections, statement cache, cut slots
    report("pickup_query + free_slots, 60 days", timed(both, rounds))
    report("pickup_query (read session, rules, counters)", timed(query_only, rounds))
    report("free_slots alone (in memory)", timed(lambda: free_slots(query), rounds))


if __name__ == "__main__":
    main()
