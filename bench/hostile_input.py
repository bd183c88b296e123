"""Time the hostile inputs an outside attack sent: each must be refused within a second.

    .venv/bin/python -m bench.hostile_input [--database-url postgresql+psycopg://...] [-n 5]

Prices with huge exponents or thousands of digits, as JSON numbers and as strings, to
POST /api/order, and the same to the admin's menu form (logged in, CSRF and all), through
Flask's test client on a fresh database. Each input is sent `-n` times; printed per kind of
input: the answer, the median and the worst time, and whether the worst stayed under the
one-second budget (exit 1 when one did not). The suite checks the answers; this file the time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

from flask.testing import FlaskClient

from bench._harness import fresh_database
from bench.admin import logged_in_client
from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app

BUDGET = 1.0  # seconds: no input may cost a worker more
HUGE_EXPONENTS = ("1e999990", "1E+999999", "9.99e999999", "-1e999999", "1e-999999", "1e4301")
HUGE_DIGITS = ("9" * 4300, "9" * 5000, "0." + "0" * 5000 + "1")
CAKE = {"size": "Small", "flavour": "Vanilla", "frosting": "Buttercream", "topping": "None"}


def order_text(price: str, *, quoted: bool) -> str:
    """An order body whose client price is `price`, as a JSON number or a JSON string."""
    customer = {"number": "+14155550100", "name": "Ana", "email": "ana@example.com"}
    body = json.dumps({"customer": customer, "cake": CAKE, "price": "PRICE"})
    return body.replace('"PRICE"', json.dumps(price) if quoted else price)


def cases(api: FlaskClient, admin: FlaskClient, token: str) -> dict[str, Callable[[], int]]:
    """Each hostile request by name, as a call answering its status code."""
    found: dict[str, Callable[[], int]] = {}
    for price in (*HUGE_EXPONENTS, *HUGE_DIGITS):
        label = price if len(price) < 20 else f"{price[:6]}... ({len(price)} chars)"
        for quoted in (False, True):
            name = f"api price {label}{' as a string' if quoted else ''}"
            found[name] = partial(_post_json, api, order_text(price, quoted=quoted))
        form = {"csrf_token": token, "kind": "flavour", "name": "Mango", "price": price}
        found[f"admin menu price {label}"] = partial(_post_form, admin, form)
    return found


def _post_json(client: FlaskClient, text: str) -> int:
    return client.post("/api/order", data=text, content_type="application/json").status_code


def _post_form(client: FlaskClient, form: dict[str, str]) -> int:
    return client.post("/admin/menu", data=form).status_code


def measure(name: str, send: Callable[[], int], repeat: int) -> bool:
    """Send one input `repeat` times; print its answer and times; True within the budget."""
    seconds, statuses = [], set()
    for _ in range(repeat):
        started = time.perf_counter()
        statuses.add(send())
        seconds.append(time.perf_counter() - started)
    worst = max(seconds)
    verdict = "ok" if worst < BUDGET else "OVER BUDGET"
    print(
        f"{name:<46} {'/'.join(map(str, sorted(statuses))):>7}  median "
        f"{1000 * statistics.median(seconds):7.2f} ms  worst {1000 * worst:7.2f} ms  {verdict}"
    )
    return worst < BUDGET


def main() -> int:
    """Run every hostile input; exit 1 when one took a second or more."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=5, help="times each input is sent")
    args = parser.parse_args()
    with fresh_database(args.database_url) as url:
        database = Database.connect(url)
        prepare(database)
        var_dir = "/tmp/cc-bench-hostile-var"
        admin = logged_in_client(database, url, var_dir)
        page = admin.get("/admin/menu").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        settings = Settings(
            _env_file=None, database_url=url, var_dir=var_dir, run_worker_in_app=False
        )
        api = create_app(settings, database=database).test_client()
        print(f"== {'PostgreSQL' if args.database_url else 'SQLite'}, each input {args.n} times")
        within = [measure(name, send, args.n) for name, send in cases(api, admin, token).items()]
        database.dispose()
    return 0 if all(within) else 1


if __name__ == "__main__":
    sys.exit(main())
