"""Admin test helpers: an admin user, `auth.login()` / `auth.logout()`, CSRF tokens.

CSRF is switched off for admin tests by default (WTF_CSRF_ENABLED=False) so tests can post
forms plainly; request the `csrf` fixture to switch it on, and post with `auth.post(...)`,
which adds a valid token either way. Type hints: `from tests.support.admin import AuthActions`.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cloudcity import admins
from cloudcity.db import Database
from tests.support.admin import PASSWORD, USERNAME, AuthActions


@pytest.fixture(autouse=True)
def _csrf_off(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def csrf(app: Flask, _csrf_off: None) -> None:
    """Enforce CSRF tokens in this test, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def admin_user(database: Database) -> str:
    """Create the admin user `auth` logs in as; returns its username."""
    with database.unit_of_work() as uow:
        admins.create_user(uow=uow, username=USERNAME, password=PASSWORD)
    return USERNAME


@pytest.fixture
def auth(client: FlaskClient, admin_user: str) -> AuthActions:
    """Log in and out as the admin user."""
    return AuthActions(client)
