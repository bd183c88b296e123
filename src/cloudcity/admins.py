"""Bakers who may log in to the admin: create them, check their passwords (argon2)."""

from __future__ import annotations

import functools
import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cloudcity.db import Reading, UnitOfWork
from cloudcity.db.models import AdminUser

MIN_PASSWORD_LENGTH = 10
FIRST_ADMIN = "admin"
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so both cases take the same time; made
    # on first use, since hashing costs a noticeable part of a second at every start-up.
    return _hasher.hash(secrets.token_urlsafe(16))


class AdminError(ValueError):
    """An admin user that cannot be created; the message says what to change."""


def create_user(*, uow: UnitOfWork, username: str, password: str) -> AdminUser:
    """Add an admin user with an argon2 hash of the password; refuse duplicates and short ones."""
    username = username.strip()
    if not USERNAME.match(username):
        raise AdminError("a username is 1 to 80 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
        )
    if uow.admins.named(username) is not None:
        raise AdminError(f"an admin user named {username!r} already exists")
    user = AdminUser(username=username, password_hash=_hasher.hash(password))
    uow.admins.add(user)
    return user


def get_user(*, reading: Reading, user_id: int) -> AdminUser | None:
    """The active admin user with this id, if any."""
    user = reading.admins.get(user_id)
    return user if user is not None and user.active else None


def authenticate(
    *, uow: UnitOfWork, username: str, password: str, now: datetime
) -> AdminUser | None:
    """The active user whose password matches, its hash upgraded if the parameters changed."""
    user = uow.admins.named(username.strip())
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


def reset_password(*, uow: UnitOfWork, username: str) -> str:
    """Give the user a new random password, end every session of theirs, return the password."""
    user = uow.admins.named(username.strip())
    if user is None:
        raise AdminError(
            f"no admin user named {username.strip()!r}: "
            "create one with `cloudcity admin create-user NAME`"
        )
    password = secrets.token_urlsafe(12)
    user.password_hash = _hasher.hash(password)
    end_sessions(uow=uow, user_id=user.id)
    return password


def end_sessions(*, uow: UnitOfWork, user_id: int) -> None:
    """End every session of this user: their cookies name the old session epoch."""
    uow.admins.end_sessions(user_id)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_first_admin(*, uow: UnitOfWork) -> tuple[str, str] | None:
    """With no admin user yet, create `admin` with a random password and return the pair."""
    if uow.admins.any():
        return None
    password = secrets.token_urlsafe(12)
    create_user(uow=uow, username=FIRST_ADMIN, password=password)
    return FIRST_ADMIN, password
