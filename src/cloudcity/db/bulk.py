"""Insert a batch of rows in one statement, skipping those already there, on either backend.

PostgreSQL gets the whole batch as one JSON parameter, unpacked by json_to_recordset: one
statement and one parameter, whatever the batch size (psycopg spends more time composing a
multi-row VALUES of thousands of parameters than the server spends inserting them). SQLite,
in process, takes SQLAlchemy's paged multi-row VALUES ("insertmanyvalues") just as fast.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql

from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, upsert_insert


def insert_new(
    session: orm.Session, model: type[Any], rows: list[dict[str, Any]], *, unique: str
) -> set[Any]:
    """INSERT the rows, skipping any whose `unique` column value exists; the new values."""
    if not rows:
        return set()
    table = table_of(model)
    if backend(session) != "postgresql":
        statement = (
            upsert_insert("sqlite", table)
            .on_conflict_do_nothing(index_elements=[unique])
            .returning(table.c[unique])
        )
        return set(session.execute(statement, rows).scalars())
    names = list(rows[0])
    parameter = sa.cast(sa.bindparam("rows", type_=sa.Text), postgresql.JSON)
    recordset = (
        sa.func.json_to_recordset(parameter)
        .table_valued(*(sa.column(name, table.c[name].type) for name in names))
        .render_derived(name="batch", with_types=True)
    )
    statement = (
        postgresql.insert(table)
        .from_select(names, sa.select(*(recordset.c[name] for name in names)))
        .on_conflict_do_nothing(index_elements=[unique])
        .returning(table.c[unique])
    )
    encoded = json.dumps(rows, default=_json_value)
    return set(session.execute(statement, {"rows": encoded}).scalars())


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a JSON batch")
