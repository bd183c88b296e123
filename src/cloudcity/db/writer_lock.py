"""One writer at a time on a SQLite file, queued by the kernel instead of polled."""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class WriterLock:
    """An exclusive lock beside a SQLite file, shared by the threads and processes using it.

    SQLite allows one writer. A second writer that finds the lock taken sleeps in its busy
    handler (1, 2, 5, 10 ms ...) and polls, so under load most of its wait is wasted sleep.
    Writers that queue on this lock first are woken the moment the previous one commits.
    The kernel drops the lock when a process dies, so a crashed writer never blocks the rest.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._close: Callable[[], object] = lambda: None
        self._reset()
        this = weakref.ref(self)
        # A forked child must open its own file: a lock on an inherited file is shared.
        os.register_at_fork(after_in_child=lambda: _reset_if_alive(this))

    def _reset(self) -> None:
        if self._fd is not None:
            self._close()  # the parent keeps its own descriptor, and with it its lock
        self._fd = None
        self._threads = threading.RLock()
        self._depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block; re-entrant within one thread."""
        with self._threads:
            if self._depth == 0:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._file(), fcntl.LOCK_UN)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            # Closed once the last engine on the file is gone: a test suite makes one per test.
            self._close = weakref.finalize(self, os.close, self._fd)
        return self._fd


def _reset_if_alive(ref: weakref.ref[WriterLock]) -> None:
    lock = ref()
    if lock is not None:
        lock._reset()
