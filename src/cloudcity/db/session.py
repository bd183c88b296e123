"""The database of one process: its engine, its session factories and its units of work."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.engine import WRITE_INTENT, create_engine, writer_turn
from cloudcity.db.menu_cache import MenuCache
from cloudcity.db.retry import is_disconnect, is_transient
from cloudcity.db.rules_cache import RulesCache
from cloudcity.db.unit_of_work import Reading, UnitOfWork, read_only_sessions

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_PAUSE = 0.05  # seconds, doubled per attempt and jittered


@dataclass(frozen=True)
class Database:
    """One engine, the session factories bound to it, and what this process keeps of it."""

    engine: sa.Engine
    sessions: orm.sessionmaker[orm.Session]
    read_sessions: orm.sessionmaker[orm.Session]
    menu_cache: MenuCache = field(default_factory=MenuCache)
    rules_cache: RulesCache = field(default_factory=RulesCache)

    @classmethod
    def connect(cls, url_or_path: str) -> Database:
        """Create the engine and session factories for a URL; do this once per process."""
        engine = create_engine(url_or_path)
        readers = orm.sessionmaker(engine, expire_on_commit=False)
        read_only_sessions(readers)
        return cls(engine, orm.sessionmaker(engine, expire_on_commit=False), readers)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """A write transaction of its own: committed when the block ends, rolled back on error.

        It begins as a write before anything is read (SQLite: this process's turn on the
        writer lock, then BEGIN IMMEDIATE), so it never upgrades a stale read snapshot.
        """
        with writer_turn(self.engine), self.sessions() as session:
            session.connection(execution_options={WRITE_INTENT: True})
            uow = UnitOfWork(session, self.menu_cache, self.rules_cache)
            try:
                yield uow
                session.commit()
            except BaseException:
                session.rollback()
                raise
        if uow.menu.changed:
            self.menu_cache.invalidate()
        for callback in uow.committed:
            callback()

    def run(
        self, work: Callable[[UnitOfWork], T], *, attempts: int = 3, repeatable: bool = True
    ) -> T:
        """Call `work` in a unit of work and commit; after a lost connection, a serialization
        failure or a deadlock, run it again in a new one (up to `attempts` times in all).

        When the connection is lost during COMMIT nobody knows whether it committed: the
        work is run again only if it is `repeatable` (doing it twice does no harm, as an
        idempotency key or a MessageSid ensure); otherwise that one error is raised.
        """
        for attempt in range(1, attempts + 1):
            committing = False
            try:
                with self.unit_of_work() as uow:
                    result = work(uow)
                    uow.flush()
                    committing = True
                return result
            except sa.exc.DBAPIError as exc:
                in_doubt = committing and is_disconnect(exc) and not repeatable
                if attempt == attempts or in_doubt or not is_transient(exc):
                    raise
                log.warning("database failure, running the transaction again: %s", exc.orig)
                time.sleep(RETRY_PAUSE * 2 ** (attempt - 1) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        """A read session of its own that refuses to write; closed when the block ends."""
        with self.read_sessions() as session:
            yield self.reader(session)

    def reader(self, session: orm.Session) -> Reading:
        """The repositories on a read session from `read_sessions` (a request's, say)."""
        return Reading(session, self.menu_cache, self.rules_cache)

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        """Close every pooled connection (after a fork, or at shutdown)."""
        self.engine.dispose()
