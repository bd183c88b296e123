"""The few statements that differ between SQLite and PostgreSQL, side by side."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite


def backend(session: orm.Session) -> str:
    """The name of the database behind a session: 'sqlite' or 'postgresql'."""
    return session.get_bind().dialect.name


def insert_ignore(
    session: orm.Session, model: type[Any], values: dict[str, Any], *, unique: list[str]
) -> None:
    """INSERT a row unless one with the same unique columns exists (race-free on both backends)."""
    if backend(session) == "postgresql":
        pg = postgresql.insert(model).values(**values)
        session.execute(pg.on_conflict_do_nothing(index_elements=unique))
    else:
        lite = sqlite.insert(model).values(**values)
        session.execute(lite.on_conflict_do_nothing(index_elements=unique))


def lock_for_update(query: sa.Select[Any], session: orm.Session) -> sa.Select[Any]:
    """Lock the selected rows until commit: FOR UPDATE on PostgreSQL.

    SQLite needs nothing here: a unit of work begins IMMEDIATE (see db.engine), so a
    writer already holds the database's single write lock.
    """
    if backend(session) == "postgresql":
        return query.with_for_update()
    return query


def claim_batch(query: sa.Select[Any], session: orm.Session) -> sa.Select[Any]:
    """Lock rows for a worker to claim: FOR UPDATE SKIP LOCKED on PostgreSQL.

    On SQLite the unit of work's IMMEDIATE transaction is the single-writer equivalent: two
    workers never claim at once, so they never claim the same row.
    """
    if backend(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def utc_date(
    column: sa.ColumnElement[Any] | orm.QueryableAttribute[Any], session: orm.Session
) -> sa.ColumnElement[date]:
    """The calendar date, in UTC, of a timestamp column: for GROUP BY day on either backend.

    The zone is a literal, not a bound parameter: PostgreSQL would otherwise see the SELECT
    and GROUP BY expressions as different (each with its own parameter).
    """
    if backend(session) == "postgresql":
        utc = sa.func.timezone(sa.literal_column("'UTC'"), column)
        return sa.cast(utc, sa.Date)
    # SQLite stores our timestamps as UTC text ("YYYY-MM-DD HH:MM:SS..."); date() cuts the day.
    return sa.func.date(column, type_=sa.Date)
