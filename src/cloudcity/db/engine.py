"""Turn a database URL (or a plain SQLite file path) into a configured Engine."""

from __future__ import annotations

import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from cloudcity.db.writer_lock import WriterLock

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_INTENT = "cloudcity_write"
_WRITER_LOCKS: weakref.WeakKeyDictionary[sa.Engine, WriterLock] = weakref.WeakKeyDictionary()
_LOCK_FILES: weakref.WeakValueDictionary[Path, WriterLock] = weakref.WeakValueDictionary()
_LOCK_FILES_GUARD = threading.Lock()


def to_url(url_or_path: str) -> URL:
    """Parse a SQLAlchemy URL; anything without a scheme is a SQLite file path."""
    if "://" not in url_or_path:
        return URL.create("sqlite+pysqlite", database=str(Path(url_or_path).expanduser()))
    url = make_url(url_or_path)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def is_memory(url: URL) -> bool:
    """True for an in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_engine(url_or_path: str, **options: Any) -> sa.Engine:
    """Build the Engine for a URL with the options its backend needs; call once per URL."""
    url = to_url(url_or_path)
    # A failing statement's error would otherwise quote its parameters (a customer's name,
    # phone or email) into every traceback that reaches the log.
    options.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **options)
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 10)
    options.setdefault("pool_recycle", 1800)
    return sa.create_engine(url, **options)


def _sqlite_engine(url: URL, **options: Any) -> sa.Engine:
    memory = is_memory(url)
    if memory:
        options.setdefault("poolclass", StaticPool)
    else:
        # SQLite creates the file on connect, but not the folders it lives in.
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    options.setdefault("connect_args", {"check_same_thread": False})
    engine = sa.create_engine(url, **options)
    if not memory:
        _WRITER_LOCKS[engine] = _writer_lock(Path(f"{url.database}-writer.lock"))
    event.listen(engine, "connect", _sqlite_pragmas(wal=not memory))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def writer_turn(engine: sa.Engine) -> AbstractContextManager[None]:
    """Wait for this process's turn to write: SQLite files allow one writer at a time."""
    lock = _WRITER_LOCKS.get(engine)
    return nullcontext() if lock is None else lock.held()


def _writer_lock(path: Path) -> WriterLock:
    # Engines on one file share its lock: with a lock each, a thread writing through one
    # engine inside a write through the other would wait on itself forever.
    key = path.resolve()
    with _LOCK_FILES_GUARD:
        lock = _LOCK_FILES.get(key)
        if lock is None:
            lock = _LOCK_FILES[key] = WriterLock(path)
    return lock


def _sqlite_begin(connection: sa.Connection) -> None:
    # Readers begin deferred so they never wait on a writer (WAL). A unit of work that will
    # write begins IMMEDIATE: it takes the write lock up front, so it waits (busy_timeout)
    # instead of failing with SQLITE_BUSY when it would upgrade a stale read snapshot.
    immediate = connection.get_execution_options().get(WRITE_INTENT, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Pragmas are ignored inside a transaction, so run them before pysqlite opens one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect
