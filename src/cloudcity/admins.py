"""Bakers who may log in to the admin: create them, check their passwords (argon2)."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.models import AdminUser

MIN_PASSWORD_LENGTH = 10
FIRST_ADMIN = "admin"
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AdminError(ValueError):
    """An admin user that cannot be created; the message says what to change."""


def create_user(session: orm.Session, *, username: str, password: str) -> AdminUser:
    """Add an admin user with an argon2 hash of the password; refuse duplicates and short ones."""
    username = username.strip()
    if not USERNAME.match(username):
        raise AdminError("a username is 1 to 80 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
        )
    if find_user(session, username) is not None:
        raise AdminError(f"an admin user named {username!r} already exists")
    user = AdminUser(username=username, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def find_user(session: orm.Session, username: str) -> AdminUser | None:
    """The admin user with this username, if any."""
    query = sa.select(AdminUser).where(AdminUser.username == username.strip())
    return session.scalars(query).one_or_none()


def get_user(session: orm.Session, user_id: int) -> AdminUser | None:
    """The active admin user with this id, if any."""
    user = session.get(AdminUser, user_id)
    return user if user is not None and user.active else None


def authenticate(session: orm.Session, *, username: str, password: str) -> AdminUser | None:
    """The active user whose password matches, its hash upgraded if the parameters changed."""
    user = find_user(session, username)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def end_sessions(session: orm.Session, *, user_id: int) -> None:
    """End every session of this user: their cookies name the old session epoch."""
    session.execute(
        sa.update(AdminUser)
        .where(AdminUser.id == user_id)
        .values(session_epoch=AdminUser.session_epoch + 1)
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def has_users(session: orm.Session) -> bool:
    """True when at least one admin user exists."""
    return session.scalar(sa.select(AdminUser.id).limit(1)) is not None


def create_first_admin(session: orm.Session) -> tuple[str, str] | None:
    """With no admin user yet, create `admin` with a random password and return the pair."""
    if has_users(session):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, username=FIRST_ADMIN, password=password)
    return FIRST_ADMIN, password
