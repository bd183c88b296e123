"""Shared pieces of the benchmarks: start the app under gunicorn, drive load, print figures."""

from __future__ import annotations

import asyncio
import os
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
from pathlib import Path

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def gunicorn(
    database_url: str,
    *,
    workers: int = 2,
    threads: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run `cloudcity serve --prod` on a free loopback port; yield its base URL."""
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
    command = [str(ROOT / ".venv/bin/cloudcity"), "serve", "--prod", "--workers", str(workers)]
    command += ["--threads", str(threads)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", process)
        yield base
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
    """Latencies (seconds) of the successful requests of one run, and its failures."""

    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000

    def line(self) -> str:
        """One printable line of figures."""
        return (
            f"{self.name:<34} {self.rate:8.1f} req/s   p50 {self.percentile(50):6.1f} ms   "
            f"p99 {self.percentile(99):6.1f} ms   n={len(self.latencies)} "
            f"failed={self.failures}"
        )


Request = Callable[[aiohttp.ClientSession, int], Awaitable[bool]]


async def closed_loop(name: str, request: Request, *, concurrency: int, seconds: float) -> Result:
    """As many requests as `concurrency` clients can make back to back for `seconds`."""
    result = Result(name, seconds)
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            await _timed(result, request, session, next(counter))

    async with _session(concurrency) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return result


async def open_loop(name: str, request: Request, *, rate: float, seconds: float) -> Result:
    """Requests started at a fixed rate (not waiting for answers), for `seconds`."""
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
