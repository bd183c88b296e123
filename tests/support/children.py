"""Child processes for the locking tests: each runs `work(say)` and reports back on a pipe."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.context import ForkContext, SpawnContext
from typing import Any

import pytest

FORK = multiprocessing.get_context("fork")
SPAWN = multiprocessing.get_context("spawn")
PATIENCE = 10.0  # seconds; never reached unless something hangs

Say = Callable[[str], None]
Work = Callable[[Say], object]


class Child:
    """A process running `work(say)`: `say` reports progress, the result comes back."""

    def __init__(self, context: SpawnContext | ForkContext, work: Work) -> None:
        self._pipe, child_end = context.Pipe()
        self.process = context.Process(target=_run, args=(work, child_end), daemon=True)
        self.process.start()

    def wait_for(self, word: str) -> None:
        """Wait until the child says `word`."""
        assert self._next() == ("said", word)

    def stays_quiet_for(self, seconds: float) -> None:
        """Fail if the child says anything, or finishes, within `seconds`."""
        if self._pipe.poll(seconds):
            kind, value = self._next()
            pytest.fail(f"the child went on while it should have waited: {kind} {value!r}")

    def result(self) -> Any:
        """What `work` returned, once the child has exited cleanly."""
        kind, value = self._next()
        assert kind == "done", value
        self.process.join(PATIENCE)
        assert self.process.exitcode == 0
        return value

    def kill(self) -> None:
        """SIGKILL the child and reap it."""
        self.process.kill()
        self.process.join(PATIENCE)

    def _next(self) -> tuple[str, Any]:
        assert self._pipe.poll(PATIENCE), "the child went quiet"
        kind, value = self._pipe.recv()
        if kind == "failed":
            pytest.fail(f"the child failed: {value}")
        return kind, value


def _run(work: Work, pipe: Any) -> None:
    try:
        pipe.send(("done", work(lambda word: pipe.send(("said", word)))))
    except BaseException as exc:  # reported to the parent, which fails the test
        pipe.send(("failed", repr(exc)))
