"""Time every answer Schemathesis provokes from the JSON API: none may cost a worker a second.

    .venv/bin/python -m bench.api_fuzz [--database-url postgresql+psycopg://...] [-n 300]

Serves the app as deployed (`cloudcity serve --prod`, preloaded, API behind Basic auth) on a
fresh SQLite file or PostgreSQL schema, runs `st run --checks all` against its OpenAPI document
with the suite's settings (tests/fuzz/schemathesis.toml, deterministic cases), and reads the
timings back from Schemathesis' HAR report. Printed per operation: requests, median, p99 and
the slowest answer, and whether the slowest stayed under the one-second budget (exit 1 when
one did not). The suite runs the same cases for correctness only: a wall-clock limit there
would fail whenever the machine is busy, so the time is measured here.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from bench._harness import (
    ROOT,
    add_server_options,
    describe_app,
    describe_machine,
    fresh_database,
    gunicorn,
)

BUDGET = 1.0  # seconds: no input may cost a worker more
USER, PASSWORD = "studio", "a-long-api-password"
CONFIG = ROOT / "tests/fuzz/schemathesis.toml"


def main() -> None:
    """Serve the app, fuzz its API and print the answer times per operation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser)
    parser.add_argument("-n", "--examples", type=int, default=300, help="cases per operation")
    options = parser.parse_args()
    print(describe_app(options.app_root))
    print(describe_machine())
    credentials = {"CLOUDCITY_API_USER": USER, "CLOUDCITY_API_PASSWORD": PASSWORD}
    with fresh_database(options.database_url) as url, tempfile.TemporaryDirectory() as folder:
        with gunicorn(
            url,
            app_root=options.app_root,
            workers=options.workers,
            threads=options.threads,
            extra_env=credentials,
        ) as server:
            har = Path(folder) / "run.har"
            fuzz(server.base, har, examples=options.examples)
        times = answer_times(har)
    sys.exit(0 if report(times) else 1)


def fuzz(base: str, har: Path, *, examples: int) -> None:
    """Run Schemathesis on the served API, recording every exchange in `har`."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file", str(CONFIG),
        "run", f"{base}/api/openapi.json",
        "--checks", "all",
        "--max-examples", str(examples),
        "--generation-deterministic",
        "--workers", "1",
        "--auth", f"{USER}:{PASSWORD}",
        "--report", "har", "--report-har-path", str(har),
        "--no-color",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        print("Schemathesis found a failure (the suite's tests/fuzz says which):")
        print(done.stdout[-3000:])


def answer_times(har: Path) -> dict[str, list[float]]:
    """Seconds per answer, by "METHOD /path", from a HAR file."""
    entries = json.loads(har.read_text())["log"]["entries"]
    times: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        request = entry["request"]
        path = re.sub(r"/\d+(?=/|$)", "/{id}", urlsplit(request["url"]).path)
        operation = f"{request['method']} {path}"
        times[operation].append(entry["time"] / 1000)
    return times


def report(times: dict[str, list[float]]) -> bool:
    """Print the table; True when every answer came within the budget."""
    print(f"{'operation':<34}{'answers':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  budget")
    within = True
    for operation, seconds in sorted(times.items()):
        ordered = sorted(seconds)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        ok = ordered[-1] < BUDGET
        within = within and ok
        print(
            f"{operation:<34}{len(ordered):>8}{statistics.median(ordered) * 1000:>9.1f}"
            f"{p99 * 1000:>9.1f}{ordered[-1] * 1000:>9.1f}  {'ok' if ok else 'OVER'}"
        )
    return within


if __name__ == "__main__":
    main()
