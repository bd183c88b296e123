"""Workers' heartbeats: one row per worker id, its last sign of life."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, upsert_insert
from cloudcity.db.models import WorkerHeartbeat


class HeartbeatRepository:
    """Record and read when outbox workers were last alive."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def beat(self, worker_id: str, *, now: datetime) -> None:
        """Say this worker is alive at `now` (its row is made on the first beat)."""
        insert = upsert_insert(backend(self._session), table_of(WorkerHeartbeat))
        statement = insert.values(worker_id=worker_id, started_at=now, last_seen=now)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["worker_id"], set_={"last_seen": statement.excluded.last_seen}
            )
        )

    def latest(self) -> datetime | None:
        """The most recent heartbeat of any worker, or None when no worker ever beat."""
        return self._session.scalar(sa.select(sa.func.max(WorkerHeartbeat.last_seen)))

    def forget_before(self, moment: datetime) -> int:
        """Drop the rows of workers silent since before `moment`; answers how many."""
        result = self._session.execute(
            sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen < moment)
        )
        return cast(sa.CursorResult[Any], result).rowcount
