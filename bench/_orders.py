"""Plain-SQL checks shared by the benches: every order the server confirmed is stored.

Only table and column names are assumed (`orders.id`, `orders.idempotency_key`), so the check
holds across refactors of the data layer and for another checkout's code (`--app-root`).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from bench._wrk import CONNECTIONS


def stored(engine: sa.Engine, ids: Iterable[int]) -> set[int]:
    """The given order ids that are in the orders table."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    query = sa.text("SELECT id FROM orders WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    with engine.connect() as connection:
        for start in range(0, len(wanted), 500):
            found.update(connection.scalars(query, {"ids": wanted[start : start + 500]}))
    return found


def check_confirmed(confirmed: list[int], stored_ids: set[int], in_db: int, runs: int) -> list[str]:
    """Problems with what was confirmed vs stored; wrk may leave a request per connection in
    flight when it stops (the server places it, nobody reads the answer)."""
    problems = []
    if len(set(confirmed)) != len(confirmed):
        problems.append(f"{len(confirmed) - len(set(confirmed))} order ids were confirmed twice")
    missing = set(confirmed) - stored_ids
    if missing:
        problems.append(
            f"{len(missing)} confirmed orders are not in the database: {sorted(missing)[:10]}"
        )
    extra = in_db - len(set(confirmed))
    if not 0 <= extra <= runs * CONNECTIONS:
        problems.append(f"{in_db} orders in the database for {len(set(confirmed))} confirmed")
    return problems
