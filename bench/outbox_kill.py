"""Drain time with a worker SIGKILLed mid-batch: 1,000 receipts, two worker processes.

    .venv/bin/python -m bench.outbox_kill [--receipts 1000] [--lease 15] [--pg URL]

Each run starts from a fresh database with the receipts queued, starts two worker processes
(a fast stand-in renderer, the local file transport: the figures measure the queue) and
times until every receipt is sent. The second run SIGKILLs one worker once a fifth of the
receipts are out, while it holds a claimed batch, and starts a replacement at once, as a
supervisor would. Printed: both drain times, how long the killed worker's claims waited,
and how many receipts went out twice (one per file name per outbox id in the local outbox).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import sqlalchemy as sa

from bench._harness import fresh_database
from bench.outbox import StubRenderer, enqueue_orders
from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.queue import RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker, build_dispatcher
from cloudcity.providers import build_providers


def run_worker(url: str, var_dir: str, lease: float, batch: int) -> None:
    """The worker process: local transports, the stand-in renderer, stops on SIGTERM."""
    settings = Settings(_env_file=None, database_url=url, var_dir=var_dir)
    database = Database.connect(url)
    dispatcher = build_dispatcher(settings, build_providers(settings), renderer=StubRenderer())
    worker = Worker(
        database, dispatcher, settings, batch_size=batch, poll_interval=0.05, lease=lease
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker.run_forever(stop)


def counts(engine: sa.Engine) -> Counter[str]:
    with engine.connect() as connection:
        query = sa.text("SELECT status, count(*) FROM outbox GROUP BY status")
        return Counter(dict(connection.execute(query).all()))


def held_by_one(engine: sa.Engine) -> str | None:
    """A worker id holding claimed messages right now."""
    with engine.connect() as connection:
        query = "SELECT locked_by FROM outbox WHERE status = 'sending' AND locked_by IS NOT NULL"
        return connection.execute(sa.text(query)).scalar()


class Workers:
    """The worker processes of one run, started with `python -m bench.outbox_kill worker`."""

    def __init__(self, url: str, var_dir: str, args: argparse.Namespace) -> None:
        self.command = [sys.executable, "-m", "bench.outbox_kill", "worker", url, var_dir]
        self.command += ["--lease", str(args.lease), "--batch", str(args.batch)]
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.command, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=30)


def one_run(url: str, args: argparse.Namespace, *, kill: bool) -> tuple[float, float, int]:
    """Seconds to drain, seconds the killed worker's claims waited, receipts sent twice."""
    database = Database.connect(url)
    prepare(database)
    enqueue_orders(database, args.receipts, RECEIPT_EMAIL)
    with tempfile.TemporaryDirectory(prefix="cc-bench-kill-") as var_dir:
        workers = Workers(url, var_dir, args)
        start = time.perf_counter()
        for _ in range(2):
            workers.start()
        waited = 0.0
        try:
            if kill:
                waited = kill_one(database.engine, workers, args.receipts // 5)
            while counts(database.engine)["sent"] < args.receipts:
                time.sleep(0.01)
            seconds = time.perf_counter() - start
        finally:
            workers.stop()
        twice = sent_twice(Path(var_dir))
    database.dispose()
    return seconds, waited, twice


def kill_one(engine: sa.Engine, workers: Workers, after: int) -> float:
    """SIGKILL the worker holding a batch once `after` are sent; start a replacement."""
    while counts(engine)["sent"] < after:
        time.sleep(0.005)
    for _ in range(10_000):
        holder = held_by_one(engine)
        victim = next((p for p in workers.processes if holder and f":{p.pid}:" in holder), None)
        if victim is not None:
            victim.kill()
            victim.wait()
            break
        time.sleep(0.001)
    else:
        raise RuntimeError("no worker was seen holding a batch")
    killed_at = time.perf_counter()
    workers.start()
    while _held_by(engine, holder):
        time.sleep(0.01)
    return time.perf_counter() - killed_at


def _held_by(engine: sa.Engine, worker_id: str | None) -> int:
    with engine.connect() as connection:
        # The batch it held, not the message in hand: that one is in doubt, and its turn
        # comes after the messages already waiting (it is due from the moment it began).
        query = sa.text(
            "SELECT count(*) FROM outbox "
            "WHERE locked_by = :w AND status = 'sending' AND sending_since IS NULL"
        )
        return int(connection.execute(query, {"w": worker_id}).scalar() or 0)


def sent_twice(var_dir: Path) -> int:
    """How many receipts the local email outbox holds more than once (by outbox id)."""
    ids: Counter[str] = Counter()
    for path in (var_dir / "outbox" / "emails").glob("*.eml"):
        headers = message_from_bytes(path.read_bytes())
        ids[json.loads(headers["X-Cloudcity-Custom-Args"])["outbox_id"]] += 1
    return sum(n - 1 for n in ids.values())


def bench(label: str, url_for: argparse.Namespace, args: argparse.Namespace) -> None:
    print(f"{label}: {args.receipts} receipts, 2 workers, batch {args.batch}, lease {args.lease} s")
    for kill in (False, True):
        with fresh_database(url_for.pg if label == "postgresql" else None) as url:
            seconds, waited, twice = one_run(url, args, kill=kill)
        what = "one worker SIGKILLed mid-batch" if kill else "no kill"
        extra = f", its batch claimed again {waited:.1f} s after the kill" if kill else ""
        print(f"  {what:<31} drained in {seconds:6.2f} s{extra}, {twice} sent twice")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        parser = argparse.ArgumentParser()
        parser.add_argument("worker")
        parser.add_argument("url")
        parser.add_argument("var_dir")
        parser.add_argument("--lease", type=float, required=True)
        parser.add_argument("--batch", type=int, required=True)
        found = parser.parse_args()
        run_worker(found.url, found.var_dir, found.lease, found.batch)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=1000)
    parser.add_argument("--lease", type=float, default=6.0)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--pg", help="a PostgreSQL URL; a fresh schema is made and dropped")
    args = parser.parse_args()
    os.environ.setdefault("SCARF_ANALYTICS", "false")
    bench("sqlite", args, args)
    if args.pg:
        bench("postgresql", args, args)


if __name__ == "__main__":
    main()
