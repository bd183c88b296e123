"""The few statements that differ between SQLite and PostgreSQL, side by side."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from cloudcity.db.base import table_of

T = TypeVar("T")
# PostgreSQL's deadlock_detected and serialization_failure: it rolled the transaction back,
# and running it again is the documented cure.


def backend(session: orm.Session) -> str:
    """The name of the database behind a session: 'sqlite' or 'postgresql'."""
    return session.get_bind().dialect.name


def insert_ignore(
    session: orm.Session,
    model: type[Any],
    values: dict[str, Any] | list[dict[str, Any]],
    *,
    unique: list[str],
) -> None:
    """INSERT a row (or several, one statement) unless one with the same unique columns exists.

    Race-free on both backends.
    """
    statement = _insert_ignore(backend(session), table_of(model), tuple(unique))
    session.execute(statement, values)


def insert_ignore_id(
    session: orm.Session, model: type[Any], values: dict[str, Any], *, unique: list[str]
) -> int | None:
    """`insert_ignore`, answering the new row's id (None: a row with those columns existed)."""
    statement = _insert_ignore_id(backend(session), table_of(model), tuple(unique))
    found: int | None = session.scalar(statement, values)
    return found


@functools.cache
def _insert_ignore_id(name: str, table: sa.Table, unique: tuple[str, ...]) -> sa.Executable:
    return _insert_ignore(name, table, unique).returning(table.c.id)


@functools.cache
def _insert_ignore(
    name: str, table: sa.Table, unique: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    # Built once and given its values at execute time: a statement object is reused with its
    # cache key, where `.values(...)` would build and key a new statement for every row.
    return upsert_insert(name, table).on_conflict_do_nothing(index_elements=list(unique))


def take_one(session: orm.Session, table: sa.Table, key_column: str, key: object, cap: int) -> bool:
    """Add one to the `taken` counter keyed `key` if it stays within `cap`, creating the row.

    One statement, race-free on both backends: INSERT ... ON CONFLICT DO UPDATE ... WHERE
    taken < cap. False (nothing changed) when the counter is at its cap.
    """
    if cap < 1:  # the INSERT would create a row already over it
        return False
    statement = _take_one(backend(session), table, key_column)
    # RETURNING, not rowcount: the ORM session answers -1 for an upsert on PostgreSQL.
    return session.execute(statement, {"key": key, "cap": cap}).first() is not None


@functools.cache
def _take_one(name: str, table: sa.Table, key_column: str) -> sa.Executable:
    key = sa.bindparam("key", type_=table.c[key_column].type)
    insert = upsert_insert(name, table).values({key_column: key, "taken": 1})
    return insert.on_conflict_do_update(
        index_elements=[key_column],
        set_={"taken": table.c.taken + 1},
        where=table.c.taken < sa.bindparam("cap", type_=sa.Integer),
    ).returning(table.c.taken)


def upsert_insert(name: str, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """The backend's INSERT, the one with ON CONFLICT clauses (`name` as from `backend`)."""
    return postgresql.insert(table) if name == "postgresql" else sqlite.insert(table)


def lock_for_update(query: sa.Select[Any], session: orm.Session | str) -> sa.Select[Any]:
    """Lock the selected rows until commit: FOR UPDATE on PostgreSQL.

    SQLite needs nothing here: a unit of work begins IMMEDIATE (see db.engine), so a
    writer already holds the database's single write lock. `session` may be a backend name.
    """
    name = session if isinstance(session, str) else backend(session)
    if name == "postgresql":
        return query.with_for_update()
    return query


def fingerprint(table: sa.Table, backend_name: str) -> sa.ColumnElement[str | None]:
    """A value that changes whenever any row of a small table does, to select beside a query.

    Every column goes in (on PostgreSQL the whole row's text, so a column added later is
    covered too), in primary-key order. NULL for an empty table.
    """
    if backend_name == "postgresql":
        rows = sa.func.string_agg(
            sa.literal_column(f"{table.name}::text"),
            postgresql.aggregate_order_by(sa.literal_column("','"), *table.primary_key.columns),
        )
        return sa.select(sa.func.md5(rows)).select_from(table).scalar_subquery()
    ordered = sa.select(*table.columns).order_by(*table.primary_key.columns).subquery()
    row: sa.ColumnElement[str] = sa.func.quote(ordered.c[0])
    for column in list(ordered.c)[1:]:
        row = row.op("||")(",").op("||")(sa.func.quote(column))
    # quote() spells every value as an SQL literal, so NULL and '' and 1 and '1' differ.
    return sa.select(sa.func.group_concat(row, ";")).scalar_subquery()


def claim_batch(query: sa.Select[Any], session: orm.Session) -> sa.Select[Any]:
    """Lock rows for a worker to claim: FOR UPDATE SKIP LOCKED on PostgreSQL.

    On SQLite the unit of work's IMMEDIATE transaction is the single-writer equivalent: two
    workers never claim at once, so they never claim the same row.
    """
    if backend(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def utc_quarter_hour(
    column: sa.ColumnElement[Any] | orm.QueryableAttribute[Any], session: orm.Session
) -> sa.ColumnElement[str]:
    """The UTC quarter-hour of a timestamp as text, `YYYY-MM-DD HH:MM`: for GROUP BY.

    Every time zone's offset is a whole number of quarter-hours, so rows grouped this way can
    be put on the shop's local dates exactly in Python (SQLite knows no time zones).
    """
    if backend(session) == "postgresql":
        utc = sa.func.timezone(sa.literal_column("'UTC'"), column)
        # Literals, not bound parameters: GROUP BY must repeat the SELECT's expression exactly.
        fifteen = sa.literal_column("15", sa.Integer)
        quarter = sa.cast(sa.func.extract("minute", utc), sa.Integer) // fifteen * fifteen
        two = sa.literal_column("2", sa.Integer)
        zero = sa.literal_column("'0'", sa.Text)
        minutes = sa.func.lpad(sa.cast(quarter, sa.Text), two, zero)
        return sa.func.to_char(utc, sa.literal_column("'YYYY-MM-DD HH24:'")).op("||")(minutes)
    quarter = sa.cast(sa.func.strftime("%M", column), sa.Integer) // 15 * 15
    minutes = sa.func.printf("%02d", quarter)
    return sa.func.strftime("%Y-%m-%d %H:", column).op("||")(minutes)
