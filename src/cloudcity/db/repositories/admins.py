"""Admin users: the bakers who may log in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import AdminUser


class AdminRepository:
    """Admin users by name or id."""

    def __init__(self, session: orm.Session) -> None:
        self._session = session

    def named(self, username: str) -> AdminUser | None:
        """The admin user with this username, if any."""
        query = sa.select(AdminUser).where(AdminUser.username == username)
        return self._session.scalars(query).one_or_none()

    def get(self, user_id: int) -> AdminUser | None:
        """The admin user with this id, if any."""
        return self._session.get(AdminUser, user_id)

    def any(self) -> bool:
        """True when at least one admin user exists."""
        return self._session.scalar(sa.select(AdminUser.id).limit(1)) is not None

    def add(self, user: AdminUser) -> None:
        """Add a new admin user (its id is set on return)."""
        self._session.add(user)
        self._session.flush()

    def end_sessions(self, user_id: int) -> None:
        """Move the user's session epoch on: every session cookie naming the old one ends."""
        self._session.execute(
            sa.update(AdminUser)
            .where(AdminUser.id == user_id)
            .values(session_epoch=AdminUser.session_epoch + 1)
        )
