"""SQLite writers take turns on `<db>-writer.lock`: across processes, forks and threads.

The writers here give up after 50 ms in SQLite's busy handler. A writer that waited there,
instead of on the writer lock, would fail with "database is locked" long before the other
writer lets go; so every wait that succeeds in these tests was a wait on the writer lock.
"""

from __future__ import annotations

import fcntl
import functools
import gc
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event, orm

from cloudcity.db import Base, Database, create_engine
from cloudcity.db.base import utcnow
from cloudcity.db.engine import writer_turn
from cloudcity.db.models import Customer
from cloudcity.domain import Channel
from tests.support.children import FORK, PATIENCE, SPAWN, Child, Say, Work

IMPATIENT_MS = 50
HOLD_SECONDS = 0.3  # how long a writer keeps its turn while another one waits for it
PROMPTLY = 2.0  # generous: a writer woken by the lock is in within milliseconds

pytestmark = pytest.mark.serial  # timed waits and killed children: not on a busy machine


@pytest.fixture
def db_file(database_url: str, is_postgres: bool) -> str:
    """The test's SQLite file."""
    if is_postgres:
        pytest.skip("SQLite only: PostgreSQL writers wait on row locks, there is no writer lock")
    return database_url


@pytest.fixture
def impatient(db_file: str) -> Iterator[Database]:
    """The test's database, with connections that wait at most 50 ms in the busy handler."""
    database = impatient_database(db_file)
    yield database
    database.dispose()


def impatient_database(path: str) -> Database:
    """A Database on `path` whose SQLite busy handler gives up after IMPATIENT_MS."""
    engine = create_engine(path)
    event.listen(engine, "connect", _impatient)  # after the engine's own pragmas
    sessions = orm.sessionmaker(engine, expire_on_commit=False)
    return Database(engine, sessions, orm.sessionmaker(engine, expire_on_commit=False))


def _impatient(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout={IMPATIENT_MS}")


@pytest.fixture
def children() -> Iterator[list[Child]]:
    """The test's child processes; any still running at the end are killed."""
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.is_alive():
            child.kill()


@pytest.fixture
def fork(children: list[Child]) -> Callable[[Work], Child]:
    """Fork a child: it shares this process's objects, and `work` may be a closure."""

    def start(work: Work) -> Child:
        children.append(Child(FORK, work))
        return children[-1]

    return start


@pytest.fixture
def spawn(children: list[Child]) -> Callable[[Work], Child]:
    """Start a fresh interpreter, as another program would be: `work` must pickle."""

    def start(work: Work) -> Child:
        children.append(Child(SPAWN, work))
        return children[-1]

    return start


def _add(session: orm.Session, phone: str) -> None:
    now = utcnow()
    session.add(Customer(phone=phone, channel=Channel.SMS, created_at=now, updated_at=now))
    session.flush()


def _phones(session: orm.Session) -> list[str]:
    return list(session.scalars(sa.select(Customer.phone).order_by(Customer.id)))


def _phones_in(database: Database) -> list[str]:
    with database.sessions() as session:
        return _phones(session)


def _lock_file(db_file: str) -> Path:
    return Path(f"{db_file}-writer.lock")


def _writer_lock_is_free(db_file: str) -> bool:
    descriptor = os.open(_lock_file(db_file), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # and with it the probe's own lock
    return True


def _in_thread(work: Callable[[], None]) -> None:
    """Run `work` in a thread; fail rather than hang, and re-raise what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    assert not thread.is_alive(), "deadlocked"
    if failures:
        raise failures[0]


def test_a_writer_that_skips_the_lock_makes_an_impatient_writer_fail(
    impatient: Database, db_file: str
) -> None:
    # The premise of this module: without the writer lock, these writers do not wait.
    with closing(sqlite3.connect(db_file, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with (
            pytest.raises(sa.exc.OperationalError, match="database is locked"),
            impatient.unit_of_work() as uow,
        ):
            _add(uow.session, "+14155550100")
        other.execute("ROLLBACK")


def test_a_writer_in_another_process_waits_for_the_open_unit_of_work(
    impatient: Database, db_file: str, spawn: Callable[[Work], Child]
) -> None:
    with impatient.unit_of_work() as uow:
        session = uow.session
        _add(session, "+14155550101")
        child = spawn(functools.partial(_write_once, db_file, "+14155550102"))
        child.wait_for("waiting")
        child.stays_quiet_for(HOLD_SECONDS)
        turn_ended = time.monotonic()
    entered, saw = child.result()
    assert saw == ["+14155550101"]
    assert turn_ended <= entered < turn_ended + PROMPTLY
    assert _phones_in(impatient) == ["+14155550101", "+14155550102"]


def _write_once(db_file: str, phone: str, say: Say) -> tuple[float, list[str]]:
    database = impatient_database(db_file)
    say("waiting")
    with database.unit_of_work() as uow:
        session = uow.session
        entered, saw = time.monotonic(), _phones(session)
        _add(session, phone)
    return entered, saw


def test_a_writer_killed_during_its_turn_does_not_block_the_next(
    impatient: Database, db_file: str, fork: Callable[[Work], Child]
) -> None:
    def hold_until_killed(say: Say) -> None:
        database = impatient_database(db_file)
        with database.unit_of_work() as uow:
            session = uow.session
            _add(session, "+14155550103")
            say("holding")
            time.sleep(PATIENCE * 6)

    child = fork(hold_until_killed)
    child.wait_for("holding")
    assert not _writer_lock_is_free(db_file)
    child.kill()
    started = time.monotonic()
    with impatient.unit_of_work() as uow:
        session = uow.session
        _add(session, "+14155550104")
    assert time.monotonic() - started < PROMPTLY
    assert _phones_in(impatient) == ["+14155550104"]  # the killed turn was rolled back


def test_many_threads_writing_at_once_all_commit(impatient: Database) -> None:
    threads, writes = 8, 4
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def write(thread: int) -> None:
        barrier.wait()
        try:
            for n in range(writes):
                with impatient.unit_of_work() as uow:
                    session = uow.session
                    _add(session, f"+1415555{thread:02d}{n:02d}")
                    time.sleep(0.01)  # the last of eight in the queue waits over IMPATIENT_MS
        except BaseException as exc:  # asserted on below, in the test's thread
            failures.append(exc)

    workers = [threading.Thread(target=write, args=(t,), daemon=True) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(PATIENCE)
        assert not worker.is_alive(), "deadlocked"
    assert failures == []
    assert len(_phones_in(impatient)) == threads * writes


def test_a_unit_of_work_after_a_read_in_the_same_thread_takes_its_turn(
    database: Database, db_file: str
) -> None:
    def read_then_write() -> None:
        with database.reading() as reading:
            assert _phones(reading.session) == []
            assert _writer_lock_is_free(db_file), "reading takes no turn"
            with database.unit_of_work() as uow:
                assert not _writer_lock_is_free(db_file), "the write has its turn"
                _add(uow.session, "+14155550105")
        assert _writer_lock_is_free(db_file)

    _in_thread(read_then_write)
    assert _phones_in(database) == ["+14155550105"]


def test_a_forked_child_takes_its_own_turn(
    impatient: Database, db_file: str, fork: Callable[[Work], Child]
) -> None:
    with impatient.unit_of_work() as session:  # the parent has its lock file open
        _add(session.session, "+14155550108")
    assert _lock_file(db_file).is_file()

    def write_and_hold(say: Say) -> None:
        impatient.engine.dispose(close=False)  # the parent's connections stay the parent's
        with impatient.unit_of_work() as uow:
            session = uow.session
            _add(session, "+14155550109")
            say("holding")
            time.sleep(HOLD_SECONDS)

    child = fork(write_and_hold)
    child.wait_for("holding")
    with impatient.unit_of_work() as session:  # an inherited lock would let this in at once
        saw = _phones(session.session)
        _add(session.session, "+14155550110")
    child.result()
    assert saw == ["+14155550108", "+14155550109"]


def test_a_child_forked_during_a_turn_waits_for_the_parent(
    impatient: Database, fork: Callable[[Work], Child]
) -> None:
    def write(say: Say) -> float:
        impatient.engine.dispose(close=False)
        say("waiting")
        with impatient.unit_of_work() as uow:
            session = uow.session
            _add(session, "+14155550111")
            return time.monotonic()

    # The turn alone, with no transaction open: SQLite must never be forked mid-transaction.
    with writer_turn(impatient.engine):
        child = fork(write)  # a child that inherited this turn would write at once
        child.wait_for("waiting")
        child.stays_quiet_for(HOLD_SECONDS)
        turn_ended = time.monotonic()
    assert turn_ended <= child.result() < turn_ended + PROMPTLY
    assert _phones_in(impatient) == ["+14155550111"]


def test_two_databases_on_one_file_nested_in_one_thread_fail_instead_of_hanging(
    db_file: str,
) -> None:
    first, second = impatient_database(db_file), impatient_database(db_file)

    def nested() -> None:
        with first.unit_of_work() as uow:
            session = uow.session
            _add(session, "+14155550113")
            with (
                pytest.raises(sa.exc.OperationalError, match="database is locked"),
                second.unit_of_work() as other,
            ):
                _add(other.session, "+14155550114")

    _in_thread(nested)  # each with a lock of its own, the inner one would wait forever
    assert _phones_in(first) == ["+14155550113"]
    first.dispose()
    second.dispose()


def test_a_database_let_go_closes_its_lock_file(db_file: str) -> None:
    descriptors = Path("/proc/self/fd")
    if not descriptors.is_dir():
        pytest.skip("needs /proc to list this process's open files")
    database = Database.connect(db_file)
    with database.unit_of_work() as uow:
        session = uow.session
        _add(session, "+14155550115")
    database.dispose()
    del database, session, uow
    gc.collect()
    lock_file = os.path.realpath(_lock_file(db_file))
    assert lock_file not in {os.path.realpath(d) for d in descriptors.iterdir()}


def test_in_memory_sqlite_writes_without_a_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a lock file for a path-less database would land
    database = Database.connect("sqlite://")
    Base.metadata.create_all(database.engine)
    with database.unit_of_work() as uow:
        session = uow.session
        _add(session, "+14155550116")
    assert _phones_in(database) == ["+14155550116"]
    assert list(tmp_path.iterdir()) == []
    database.dispose()
