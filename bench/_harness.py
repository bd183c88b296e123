"""Shared pieces of the benchmarks: a fresh database, the app under gunicorn, paced load.

The server is started only through the `cloudcity` command of a checkout (`--app-root`), and the
benches read and seed the database with plain SQL, so they measure any commit's code without
importing it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from bench import _cpu

ROOT = Path(__file__).resolve().parent.parent


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The options every server bench takes: database, app checkout, gunicorn shape."""
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL (a fresh schema is made in it and dropped); default: SQLite file",
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="checkout whose .venv/bin/cloudcity serves the app (default: this one)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per worker")


def describe_app(app_root: Path) -> str:
    """The checkout and commit being measured, and whether it has uncommitted changes."""
    commit = _git(app_root, "log", "-1", "--format=%h %s")[:60] or "unknown commit"
    # No optional locks: reading another engineer's checkout must not rewrite its index.
    changed = _git(app_root, "--no-optional-locks", "status", "--porcelain", "-uno")
    return f"{app_root} @ {commit}" + (" + uncommitted changes" if changed else "")


def describe_machine() -> str:
    """How busy the machine is before the bench starts: other jobs make the figures noisy."""
    busy = _cpu.busy_now()
    warning = "; other jobs are running, the figures will be noisy" if busy > 0.1 else ""
    return f"machine busy before the run: {busy:.0%} of {_cpu.CORES} cores{warning}"


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


@contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema in the given PostgreSQL database."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield str(Path(folder) / "bench.db")
        return
    schema = f"cc_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            sa.make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def sql_engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on the app's database (a URL, or a plain SQLite path as the app accepts)."""
    url = database_url if "://" in database_url else f"sqlite:///{database_url}"
    # SQLite: wait for the app's writers rather than failing with "database is locked".
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    try:
        yield engine
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """A running `cloudcity serve --prod`: its base URL and its process group (for CPU)."""

    base: str
    group: int


@contextmanager
def gunicorn(
    database_url: str,
    *,
    app_root: Path = ROOT,
    workers: int = 2,
    threads: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Run `APP_ROOT/.venv/bin/cloudcity serve --prod` (it migrates first) on a free port."""
    executable = app_root.resolve() / ".venv/bin/cloudcity"  # the server starts elsewhere
    if not executable.exists():
        sys.exit(f"{executable} is missing: run `make setup` in {app_root} first")
    port = free_port()
    env = (
        os.environ
        | {
            "CLOUDCITY_DATABASE_URL": database_url,
            "CLOUDCITY_PORT": str(port),
            "CLOUDCITY_HOST": "127.0.0.1",
            "CLOUDCITY_RUN_WORKER_IN_APP": "false",
        }
        | (extra_env or {})
    )
    command = [str(executable), "serve", "--prod", "--workers", str(workers)]
    command += ["--threads", str(threads)]
    # An empty working folder: no checkout's .env is read and nothing is written into one.
    with tempfile.TemporaryDirectory(prefix="cc-bench-serve-") as cwd:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base + "/healthz", process)
            yield Server(base, process.pid)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not come up in time")


@dataclass
class Result:
    """Latencies (seconds) of the successful requests of one paced run, and its failures."""

    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    cpu: _cpu.Shares | None = None

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000


Request = Callable[[aiohttp.ClientSession, int], Awaitable[bool]]


def open_loop(
    name: str, request: Request, *, rate: float, seconds: float, server_group: int
) -> Result:
    """Requests started at a fixed rate (not waiting for answers) for `seconds`, from this
    process (aiohttp); its CPU share is this process's own."""
    started = _cpu.Sample.now(server_group)
    own = resource.getrusage(resource.RUSAGE_SELF)
    result = asyncio.run(_open_loop(name, request, rate=rate, seconds=seconds))
    after = resource.getrusage(resource.RUSAGE_SELF)
    client = (after.ru_utime + after.ru_stime) - (own.ru_utime + own.ru_stime)
    result.cpu = _cpu.Sample.now(server_group).shares_since(started, client_seconds=client)
    return result


async def _open_loop(name: str, request: Request, *, rate: float, seconds: float) -> Result:
    result = Result(name, seconds)
    total = int(rate * seconds)
    start = time.perf_counter()
    async with _session(256) as session:
        tasks = []
        for index in range(total):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_timed(result, request, session, index)))
        await asyncio.gather(*tasks)
    return result


async def _timed(result: Result, request: Request, session: aiohttp.ClientSession, i: int) -> None:
    began = time.perf_counter()
    try:
        ok = await request(session, i)
    except (TimeoutError, aiohttp.ClientError):
        ok = False
    if ok:
        result.latencies.append(time.perf_counter() - began)
    else:
        result.failures += 1


def _session(limit: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


def open_calendar(engine: sa.Engine) -> bool:
    """Room for every order a run places, where the code has a calendar; True when it has.

    A flat-out run places thousands of orders, and the default 3 cakes a slot and 20 a day
    would soon leave nothing to offer: that measures a full shop, not the code.
    """
    calendar = sa.table(
        "shop_calendar",
        sa.column("rules", sa.JSON),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    with engine.begin() as connection:
        if not sa.inspect(connection).has_table("shop_calendar"):
            return False
        rules = dict(connection.scalar(sa.select(calendar.c.rules)) or {})
        rules |= {"per_day": 1_000_000, "per_slot": 1_000_000}
        moment = datetime.now(UTC) + timedelta(days=1)  # a new version: workers read it again
        connection.execute(sa.update(calendar).values(rules=rules, updated_at=moment))
    return True
