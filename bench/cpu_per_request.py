"""CPU per request, in process: the order API and the chat webhook through Flask's test client.

    .venv/bin/python -m bench.cpu_per_request [--database-url postgresql+psycopg://...] [-n 2000]

A load generator on the same two cores blurs throughput figures; the CPU time this process
spends per request (time.process_time) is much less sensitive to what else runs. Compare two
checkouts by running this file with the other checkout's interpreter, e.g.
`/work/old/.venv/bin/python -m bench.cpu_per_request` from this folder: it only uses
create_app, Settings, Database.connect and cloudcity.cli.prepare, which both sides have.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

from bench._in_process import in_process_app
from cloudcity.db import Database

CAKE = {"size": "Medium", "flavour": "Chocolate", "frosting": "Buttercream", "topping": "None"}
# A whole chat order: the pickup question comes after the topping ("asap": the first free
# slot), then the inscription ("no": nothing written), the price to confirm, name and email.
ANSWERS = (
    "restart",
    "medium",
    "chocolate",
    "buttercream",
    "none",
    "asap",
    "no",
    "yes",
    "Ana",
    "a@example.com",
)


def measure(label: str, count: int, send: Callable[[int], int], expect: int) -> None:
    """Send `count` requests; print CPU and wall milliseconds per request."""
    for i in range(min(50, count)):  # warm caches and pools
        send(-1 - i)
    cpu, wall, failures = [], [], 0
    for i in range(count):
        c0, w0 = time.process_time(), time.perf_counter()
        failures += send(i) != expect
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    print(
        f"{label:<24} cpu mean {1000 * statistics.fmean(cpu):5.2f} ms "
        f"p50 {1000 * statistics.median(cpu):5.2f} ms | wall p50 "
        f"{1000 * statistics.median(wall):5.2f} ms | failures {failures}"
    )


def order(
    client: FlaskClient, slots: list[str] | None = None, *, exchange: int = 555
) -> Callable[[int], int]:
    """POST /api/order for a new customer each time (with a pickup slot, when given some).

    Each run takes its own `exchange` (+1 415 EXCHANGE xxxx), so no run meets the customers
    an earlier one made.
    """

    def send(i: int) -> int:
        number = f"+1415{exchange}{i % 10000:04d}" if i >= 0 else f"+1415{exchange + 100}{-i:04d}"
        customer = {"number": number, "name": "Bench", "email": "b@example.com"}
        body: dict[str, object] = {"customer": customer, "cake": CAKE}
        if slots:
            body["pickup_at"] = slots[i % len(slots)]
        return client.post("/api/order", json=body).status_code

    return send


def webhook(
    client: FlaskClient,
    customers: int = 200,
    answers: tuple[str, ...] = ANSWERS,
    *,
    exchange: int = 777,
) -> Callable[[int], int]:
    """POST /twilio/messages, customers taking turns through whole conversations.

    Each run takes its own `exchange` for the customers' numbers and MessageSids: a run that
    met an earlier run's MessageSids would time the replay of a duplicate, not a message.
    """

    def send(i: int) -> int:
        who, step = (i % customers, i // customers) if i >= 0 else (customers - i, -i)
        form = {
            "From": f"whatsapp:+1415{exchange}{who:04d}",
            "To": "whatsapp:+14155238886",
            "Body": answers[step % len(answers)],
            "MessageSid": f"SM{exchange:04d}{(i + 10**6):028x}",
        }
        return client.post("/twilio/messages", data=form).status_code

    return send


def open_calendar(database: Database, client: FlaskClient) -> list[str]:
    """Room for every order; the free slot ids of 60 days (none where there is no calendar)."""
    if client.get("/api/pickup-slots").status_code != 200:
        return []
    calendar = sa.table("shop_calendar", sa.column("rules", sa.JSON), sa.column("updated_at"))
    with database.engine.begin() as connection:
        rules = dict(connection.scalar(sa.select(calendar.c.rules)) or {})
        rules |= {"per_day": 1_000_000, "per_slot": 1_000_000}
        moment = datetime.now(UTC) + timedelta(days=1)  # a new version, read again
        connection.execute(sa.update(calendar).values(rules=rules, updated_at=moment))
    slots = client.get("/api/pickup-slots?days=60").get_json()["slots"]
    return [slot["id"] for slot in slots]


def main() -> None:
    """Parse options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args()
    with in_process_app(args.database_url) as (database, client):
        print(f"== {'PostgreSQL' if args.database_url else 'SQLite'}, {args.n} requests each")
        measure("GET /healthz", args.n, lambda _i: client.get("/healthz").status_code, 200)
        measure("POST /api/order", args.n, order(client), 201)
        measure("POST /twilio/messages", args.n, webhook(client), 200)
        slots = open_calendar(database, client)
        measure("POST /api/order + pickup_at", args.n, order(client, slots, exchange=556), 201)


if __name__ == "__main__":
    main()
