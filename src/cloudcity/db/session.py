"""The database of one process: its engine, its session factory and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.engine import WRITE_INTENT, create_engine, writer_turn


@dataclass(frozen=True)
class Database:
    """One engine and the one session factory bound to it."""

    engine: sa.Engine
    sessions: orm.sessionmaker[orm.Session]

    @classmethod
    def connect(cls, url_or_path: str) -> Database:
        """Create the engine and session factory for a URL; do this once per process."""
        engine = create_engine(url_or_path)
        return cls(engine, orm.sessionmaker(engine, expire_on_commit=False))

    @contextmanager
    def unit_of_work(self) -> Iterator[orm.Session]:
        """A session that commits when the block ends, rolls back on error, and always closes."""
        with self.sessions() as session, committing(session):
            yield session

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


@contextmanager
def committing(session: orm.Session) -> Iterator[orm.Session]:
    """Commit an existing session when the block ends normally; roll back and re-raise if not.

    Enter it before the first query of a write, so SQLite takes its write lock up front.
    """
    with writer_turn(_engine(session)):
        if not session.in_transaction():
            session.connection(execution_options={WRITE_INTENT: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _engine(session: orm.Session) -> sa.Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, sa.Engine) else bind.engine
