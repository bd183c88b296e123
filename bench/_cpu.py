"""CPU shares during a run: the load generator's, the server's, PostgreSQL's, everyone else's.

On a small machine the client competes with the server for the same cores, so every figure is
printed beside how much CPU the client itself took. Read from /proc (Linux only).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Shares:
    """CPU seconds per second of wall time (1.0 = one core busy) during one run."""

    wall: float
    client: float
    server: float
    postgres: float
    machine: float

    def text(self) -> str:
        """`client 41% of a core (21% of 2) | server 152% (76%) | postgres 0% | others 2% |
        machine 99%`: the last four as shares of the whole machine but the server's first."""
        rest = max(0.0, self.machine - self.client - self.server - self.postgres)
        return (
            f"client {self.client:4.0%} of a core ({self.client / CORES:3.0%} of {CORES})"
            f" | server {self.server:4.0%} ({self.server / CORES:3.0%})"
            f" | postgres {self.postgres / CORES:3.0%} | others {rest / CORES:3.0%}"
            f" | machine {self.machine / CORES:3.0%}"
        )


@dataclass(frozen=True)
class Sample:
    """Clocks read at one moment: wall time, the machine's busy time, the server's CPU time."""

    wall: float
    machine: float
    server: float
    postgres: float

    @classmethod
    def now(cls, server_group: int) -> Sample:
        """Read the clocks now; `server_group` is the process group of `cloudcity serve`."""
        server, postgres = _process_cpu(server_group)
        return cls(time.perf_counter(), _machine_busy(), server, postgres)

    def shares_since(self, earlier: Sample, *, client_seconds: float) -> Shares:
        """Shares between `earlier` and this sample; the client's CPU time is measured apart."""
        wall = self.wall - earlier.wall
        return Shares(
            wall=wall,
            client=client_seconds / wall,
            server=(self.server - earlier.server) / wall,
            postgres=(self.postgres - earlier.postgres) / wall,
            machine=(self.machine - earlier.machine) / wall,
        )


def busy_now(seconds: float = 1.0) -> float:
    """The share of the whole machine busy over the next `seconds`."""
    before = _machine_busy()
    time.sleep(seconds)
    return (_machine_busy() - before) / seconds / CORES


def _machine_busy() -> float:
    """Seconds of CPU spent by every process on the machine (all cores) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields)
    return (user + nice + system + irq + softirq + steal) / TICK


def _process_cpu(group: int) -> tuple[float, float]:
    """CPU seconds of the processes in a process group and of every local PostgreSQL process
    (whoever its clients are), each with the children they reaped."""
    server = postgres = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in rest[11:15])  # utime stime cutime cstime
        if int(rest[2]) == group:
            server += ticks
        elif name == "postgres":
            postgres += ticks
    return server / TICK, postgres / TICK
