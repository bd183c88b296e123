"""Reading a customer's pickup answer: p50/p99/worst milliseconds, wall and CPU, budget 250 ms.

    .venv/bin/python -m bench.pickup_parse            # 2,000 answers
    .venv/bin/python -m bench.pickup_parse -n 200     # a quick check

Pure domain code (`cloudcity.calendar.parse.parse_pickup`, dateparser behind it), no database:
answers people write ("sat 2pm", "24 Dec 10am"), random characters up to the 80 the chat
reads, and word salad of date words, each read against a fixed "now" in a Los Angeles shop.
dateparser loads its language data on the first call; that call is timed apart ("first").
Exit 1 when the worst answer took longer than the budget: a chat message waits on it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from collections.abc import Iterator
from datetime import datetime

from cloudcity.calendar import default_rules
from cloudcity.calendar.parse import parse_pickup

BUDGET = 0.25  # seconds for one answer
RULES = default_rules("America/Los_Angeles")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=RULES.tz)
PEOPLE = ("saturday", "sat 2pm", "tomorrow at 3", "next friday morning", "24 Dec 10am", "12/24")
DATE_WORDS = ("sat", "next", "at", "2pm", "tomorrow", "12/24", "dec", "24", "morning", "the")


def answers(count: int, seed: int = 7) -> Iterator[str]:
    """`count` answers: a third as people write them, a third random, a third word salad."""
    rng = random.Random(seed)
    characters = string.ascii_letters + string.digits + " /:.-,'"
    for index in range(count):
        kind = index % 3
        if kind == 0:
            yield rng.choice(PEOPLE)
        elif kind == 1:
            yield "".join(rng.choices(characters, k=rng.randint(1, 80)))
        else:
            yield " ".join(rng.choices(DATE_WORDS, k=rng.randint(2, 20)))[:80]


def timed(text: str) -> tuple[float, float]:
    """Wall and CPU seconds to read one answer."""
    wall, cpu = time.perf_counter(), time.process_time()
    parse_pickup(text, rules=RULES, now=NOW)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    """Read the answers and print the distribution."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--answers", type=int, default=2000)
    options = parser.parse_args()
    first_wall, _ = timed("saturday")
    walls, cpus = zip(*(timed(text) for text in answers(options.answers)), strict=True)
    print(f"first answer (language data loading): {first_wall * 1000:.0f} ms")
    for name, seconds in (("wall", sorted(walls)), ("cpu", sorted(cpus))):
        p99 = seconds[int(len(seconds) * 0.99)]
        print(
            f"{name:<5} p50 {statistics.median(seconds) * 1000:6.2f} ms   "
            f"p99 {p99 * 1000:6.2f} ms   worst {seconds[-1] * 1000:6.2f} ms"
        )
    worst = max(walls)
    print(f"budget {BUDGET * 1000:.0f} ms: {'ok' if worst < BUDGET else 'OVER'}")
    sys.exit(0 if worst < BUDGET else 1)


if __name__ == "__main__":
    main()
