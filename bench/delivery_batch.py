"""How long one full SendGrid Event Webhook batch (5,000 events, the most accepted) takes.

    .venv/bin/python -m bench.delivery_batch [--database-url postgresql+psycopg://...] [-n 5]

Posts the batch through Flask's test client (no signature: the development settings), each
round with new event ids, and prints the wall time per batch. The promise it checks: no input
costs a worker more than a second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench._in_process import in_process_app
from cloudcity.web.delivery_webhooks import SENDGRID_MAX_EVENTS as MAX_EVENTS


def batch(round_: int) -> str:
    """A full batch of "open" events with ids new to this round."""
    events = [
        {
            "email": "ada@example.com",
            "timestamp": 1700000000,
            "event": "open",
            "sg_event_id": f"r{round_}e{n}",
            "sg_message_id": f"bench{n % 50}.filter0001.16648.5515E0B88.0",
        }
        for n in range(MAX_EVENTS)
    ]
    return json.dumps(events)


def main() -> None:
    """Parse options and print seconds per batch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=5)
    args = parser.parse_args()
    with in_process_app(args.database_url) as (_database, client):
        headers = {"Content-Type": "application/json"}
        seconds = []
        for round_ in range(args.n):
            body = batch(round_)
            started = time.perf_counter()
            response = client.post("/sendgrid/events", data=body, headers=headers)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_data(as_text=True)
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print(
            f"{backend}: {MAX_EVENTS} events a batch, {args.n} batches: "
            f"median {statistics.median(seconds):.3f} s, worst {max(seconds):.3f} s"
        )


if __name__ == "__main__":
    main()
