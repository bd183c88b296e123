"""Logging in and out of the admin, and what needs a login."""

from __future__ import annotations

from admin_support import AuthActions
from flask.testing import FlaskClient


def test_login_then_logout(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/orders"
    assert client.get("/admin/orders").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/admin/orders").status_code == 302
