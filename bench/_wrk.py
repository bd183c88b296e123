"""Closed-loop load with wrk: one C thread, a few connections, Lua scripts under bench/wrk/.

Each run is a short warm-up then a fixed-length run. The Lua scripts count answers by status
and keep what the server answered (order ids); `done()` writes that, wrk's counts and its
latency percentiles to a JSON file read back here. The client's CPU time comes from wait4.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import _cpu

SCRIPTS = Path(__file__).resolve().parent / "wrk"
THREADS = 1
CONNECTIONS = 4


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        sys.exit("wrk is missing and there is no apt-get here: install wrk 4.x and run again")
    print("wrk is missing: installing it with `apt-get install -y wrk`", flush=True)
    if _apt("install", "-y", "-q", "wrk").returncode != 0:
        updated = _apt("update", "-q")
        if updated.returncode != 0:
            sys.exit(f"wrk is missing and `apt-get update` failed:\n{updated.stderr.strip()}")
        installed = _apt("install", "-y", "-q", "wrk")
        if installed.returncode != 0:
            sys.exit(
                "wrk is missing and `apt-get install -y wrk` failed (not root? no network?); "
                f"install it yourself and run again:\n{installed.stderr.strip()}"
            )
    found = shutil.which("wrk")
    if not found:
        sys.exit("apt-get installed wrk but it is not on PATH: add /usr/bin and run again")
    return found


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@dataclass
class Run:
    """One wrk run: its counts, latency percentiles and what the Lua script kept."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    sent: int
    wrapped: int
    unexpected: int
    samples: list[str]
    ids: list[int] = field(default_factory=list)
    cpu: _cpu.Shares | None = None

    @property
    def rate(self) -> float:
        """Answers per second."""
        return self.requests / self.seconds

    def problems(self, expected_status: int, *, unique: bool) -> list[str]:
        """What went wrong, in words; empty when every answer was the expected one."""
        found = []
        wrong = {s: n for s, n in self.statuses.items() if s != str(expected_status)}
        if wrong:
            found.append(f"{sum(wrong.values())} answers were not {expected_status}: {wrong}")
        if any(self.socket_errors.values()):
            found.append(f"socket errors: {self.socket_errors}")
        if self.unexpected:
            found.append(f"{self.unexpected} answers were not the expected reply")
        if unique and self.wrapped:
            found.append(f"ran out of prepared requests: {self.wrapped} were sent twice")
        if self.requests == 0:
            found.append("no request was answered")
        return found + [f"  e.g. {sample}" for sample in self.samples[:3] if found]


def run(
    name: str,
    url: str,
    script: str,
    *,
    seconds: int,
    server_group: int,
    data: Path | None = None,
) -> Run:
    """Run wrk with bench/wrk/SCRIPT against URL for `seconds`; CPU shares measured around it."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="cc-bench-wrk-") as folder:
        report = Path(folder) / "report.json"
        log = Path(folder) / "wrk.out"
        env = os.environ | {"BENCH_WRK_OUT": str(report), "BENCH_WRK_DATA": str(data or "")}
        command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        command += ["--timeout", "10s", "-s", script, url]
        before = _cpu.Sample.now(server_group)
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=SCRIPTS, env=env, stdout=out, stderr=out)
            _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        after = _cpu.Sample.now(server_group)
        if process.returncode != 0 or not report.exists():
            sys.exit(f"wrk failed ({process.returncode}) for {name}:\n{log.read_text()}")
        client = usage.ru_utime + usage.ru_stime
        return _parse(
            name, json.loads(report.read_text()), after.shares_since(before, client_seconds=client)
        )


def _parse(name: str, raw: dict[str, Any], cpu: _cpu.Shares) -> Run:
    return Run(
        name=name,
        requests=int(raw["requests"]),
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        statuses={str(k): int(v) for k, v in raw["statuses"].items()},
        socket_errors={str(k): int(v) for k, v in raw["errors"].items() if k != "status"},
        sent=int(raw["sent"]),
        wrapped=int(raw["wrapped"]),
        unexpected=int(raw["unexpected"]),
        samples=[str(s) for s in raw["samples"]],
        ids=[int(i) for i in raw["ids"]],
        cpu=cpu,
    )


def line(name: str, rate: float, p50: float, p99: float, n: int, failed: int) -> str:
    """The figures of one phase on one line."""
    return (
        f"{name:<34} {rate:8.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms  "
        f"n={n:<6} failed={failed}"
    )


def print_run(run: Run) -> None:
    """A wrk run's figures, and the CPU shares under them."""
    failed = sum(n for s, n in run.statuses.items() if not s.startswith("2"))
    print(line(run.name, run.rate, run.p50_ms, run.p99_ms, run.requests, failed))
    assert run.cpu is not None
    print(f"    cpu (wrk)     {run.cpu.text()}")
