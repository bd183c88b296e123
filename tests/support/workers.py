"""Real `cloudcity worker` processes for tests that stop or kill them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

StartWorker = Callable[[], subprocess.Popen[bytes]]
PATIENCE = 60.0  # seconds: a bound on waits for other processes, never a measure of speed


def worker_env(database_url: str, folder: Path, **settings: str) -> dict[str, str]:
    """A worker's environment: the test database, local transports, fast polls and leases.

    None of this machine's CLOUDCITY_, TWILIO_ or SENDGRID_ variables leak in; `settings`
    (CLOUDCITY_... names) come on top of the defaults.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLOUDCITY_", "TWILIO_", "SENDGRID_"))
    }
    env.update(
        CLOUDCITY_DATABASE_URL=database_url,
        CLOUDCITY_VAR_DIR=str(folder / "var"),
        CLOUDCITY_OUTBOX_LEASE_SECONDS="2",
        CLOUDCITY_OUTBOX_POLL_SECONDS="0.05",
    )
    env.update(settings)
    return env


@contextmanager
def worker_starter(env: dict[str, str], folder: Path) -> Iterator[StartWorker]:
    """A function that starts a worker (its output in folder/worker-N.log); any still
    running when the block ends are killed."""
    command = [str(Path(sys.executable).with_name("cloudcity")), "worker"]
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        with (folder / f"worker-{len(started)}.log").open("wb") as log:
            started.append(subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=log))
        return started[-1]

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()


def wait_until(condition: Callable[[], bool], what: str, *, patience: float = PATIENCE) -> None:
    """Poll `condition` until it holds; fail naming `what` after `patience` seconds."""
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"waited {patience:.0f} s for: {what}"
        time.sleep(0.1)
