"""Pickup availability over the 60-day horizon with 10,000 booked orders: p50/p99 milliseconds.

    .venv/bin/python -m bench.calendar_availability            # 200 rounds
    .venv/bin/python -m bench.calendar_availability -n 50      # a quick check

Pure domain code, no database: the booked counts (per slot, per day) are built once from
10,000 orders booked on random slots of the horizon (each only where there is room), as the
database will hand them over. The kitchen is sized so they fit (240 cakes a day, 16 a slot,
about 11,000 places in all): a busy book, with many full slots.
"fresh rules" is a call on rules never seen before (each day's slots cut anew, as after the
baker edits the calendar); the others reuse the slots cached for the same rules object.
On a shared machine the wall p99 catches other processes' time slices; the CPU p99 beside
it shows what the code itself costs.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from cloudcity.calendar import (
    Booked,
    Capacity,
    PickupQuery,
    bookable_slots,
    check,
    default_rules,
    free_slots,
    next_free,
)

ORDERS = 10_000
RULES = dataclasses.replace(
    default_rules("America/Los_Angeles"), capacity=Capacity(per_day=240, per_slot=16)
)
NOW = datetime(2026, 11, 24, 10, tzinfo=RULES.tz)


def booked_counts() -> Booked:
    """10,000 orders on random slots with room, counted per slot and per local day."""
    rng = random.Random(14)
    slots = bookable_slots(RULES, now=NOW, size=None)
    by_slot: Counter[datetime] = Counter()
    by_day: Counter[date] = Counter()
    while by_slot.total() < ORDERS:
        slot = rng.choice(slots)
        if by_slot[slot.start] < 16 and by_day[slot.local_date] < 240:
            by_slot[slot.start] += 1
            by_day[slot.local_date] += 1
    return Booked(dict(by_slot), dict(by_day))


def timed(call: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call: wall clock, and this thread's CPU time (blind to other load)."""
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.thread_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def report(name: str, figures: tuple[list[float], list[float]]) -> None:
    """One line: wall p50, p99 and max, and the CPU p99."""
    wall, cpu = sorted(figures[0]), sorted(figures[1])
    print(
        f"{name:<34} p50 {statistics.median(wall):6.2f} ms  p99 {p99(wall):6.2f} ms  "
        f"max {wall[-1]:6.2f} ms  (cpu p99 {p99(cpu):6.2f} ms)"
    )


def p99(ordered: list[float]) -> float:
    """The 99th percentile of sorted figures."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    """Time each availability question and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    booked = booked_counts()
    query = PickupQuery(RULES, NOW, "Small", booked)
    free = free_slots(query)
    full = max(booked.by_slot, key=lambda start: booked.by_slot[start])
    full_slots = sum(1 for n in booked.by_slot.values() if n >= RULES.capacity.per_slot)
    print(
        f"{ORDERS} orders in {len(booked.by_slot)} slots over {len(booked.by_day)} days "
        f"({full_slots} slots full); {len(free)} slots free; {rounds} rounds"
    )
    report("free_slots, 60 days, fresh rules", timed(lambda: fresh(booked), rounds))
    report("free_slots, 60 days", timed(lambda: free_slots(query), rounds))
    report("next_free, 5", timed(lambda: next_free(query, count=5), rounds))
    report("check, free slot", timed(lambda: check(query, free[-1].slot.start), rounds))
    report("check, full slot + 3 alternatives", timed(lambda: check(query, full), rounds))


def fresh(booked: Booked) -> object:
    """Free slots on rules never seen before: every day's slots are cut anew (no cache)."""
    return free_slots(PickupQuery(dataclasses.replace(RULES), NOW, "Small", booked))


if __name__ == "__main__":
    main()
