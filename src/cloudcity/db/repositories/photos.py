"""Reference photos: recorded by the webhook, settled by the worker, attached to an order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import ReferencePhoto
from cloudcity.db.repositories.values import Photo

PENDING = "pending"
STORED = "stored"
REFUSED = "refused"
ERROR_LENGTH = 500


class PhotoRepository:
    """One row per picture: pending until the worker stores or refuses it."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def add(
        self,
        *,
        address: str,
        media_url: str,
        content_type: str | None,
        now: datetime,
        status: str = PENDING,
        error: str | None = None,
        stored_path: str | None = None,
        size_bytes: int | None = None,
    ) -> int:
        """Record a picture; answers its id."""
        row = ReferencePhoto(
            address=address,
            media_url=media_url,
            content_type=content_type,
            status=status,
            error=_cut(error),
            stored_path=stored_path,
            size_bytes=size_bytes,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, photo_id: int) -> Photo | None:
        """One photo, or None."""
        row = self._session.get(ReferencePhoto, photo_id)
        return None if row is None else _value(row)

    def attach(self, photo_ids: Iterable[int], *, address: str, order_id: int) -> int:
        """Give an address's unattached photos among `photo_ids` to an order; answers how many."""
        ids = list(photo_ids)
        if not ids:
            return 0
        return self._update(
            sa.update(ReferencePhoto)
            .where(
                ReferencePhoto.id.in_(ids),
                ReferencePhoto.address == address,
                ReferencePhoto.order_id.is_(None),
            )
            .values(order_id=order_id)
        )

    def mark_stored(
        self, photo_id: int, *, stored_path: str, content_type: str, size_bytes: int, now: datetime
    ) -> bool:
        """Settle a pending photo as stored; False when it was settled already (a repeat)."""
        return self._settle(
            photo_id,
            status=STORED,
            stored_path=stored_path,
            content_type=content_type,
            size_bytes=size_bytes,
            error=None,
            updated_at=now,
        )

    def mark_refused(self, photo_id: int, *, reason: str, now: datetime) -> bool:
        """Settle a pending photo as refused, with the reason a baker reads."""
        return self._settle(photo_id, status=REFUSED, error=_cut(reason), updated_at=now)

    def note_error(self, photo_id: int, *, error: str, now: datetime) -> None:
        """Keep the last error of a fetch that will be tried again (the photo stays pending)."""
        self._settle(photo_id, error=_cut(error), updated_at=now)

    def for_orders(self, order_ids: Iterable[int]) -> dict[int, list[Photo]]:
        """The photos of each order (only orders that have some), oldest first."""
        ids = list(order_ids)
        if not ids:
            return {}
        query = (
            sa.select(ReferencePhoto)
            .where(ReferencePhoto.order_id.in_(ids))
            .order_by(ReferencePhoto.id)
        )
        found: dict[int, list[Photo]] = {}
        for row in self._session.scalars(query):
            assert row.order_id is not None
            found.setdefault(row.order_id, []).append(_value(row))
        return found

    def for_address(self, address: str, *, limit: int = 12) -> list[Photo]:
        """The latest photos sent from an address, on an order or not yet, oldest first."""
        query = (
            sa.select(ReferencePhoto)
            .where(ReferencePhoto.address == address)
            .order_by(ReferencePhoto.id.desc())
            .limit(limit)
        )
        return [_value(row) for row in reversed(self._session.scalars(query).all())]

    def _settle(self, photo_id: int, **values: Any) -> bool:
        return (
            self._update(
                sa.update(ReferencePhoto)
                .where(ReferencePhoto.id == photo_id, ReferencePhoto.status == PENDING)
                .values(**values)
            )
            == 1
        )

    def _update(self, statement: sa.Update) -> int:
        result = self._session.execute(statement.execution_options(synchronize_session=False))
        return cast(sa.CursorResult[Any], result).rowcount


def _cut(text: str | None) -> str | None:
    return None if text is None else text[:ERROR_LENGTH]


def _value(row: ReferencePhoto) -> Photo:
    return Photo(
        id=row.id,
        address=row.address,
        order_id=row.order_id,
        media_url=row.media_url,
        content_type=row.content_type,
        status=row.status,
        stored_path=row.stored_path,
        size_bytes=row.size_bytes,
        error=row.error,
        created_at=row.created_at,
    )
