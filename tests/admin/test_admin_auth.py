"""Logging in and out, what needs a login, CSRF, the login rate limit, safe redirects."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app
from cloudcity.web.admin.security import PUBLIC_ENDPOINTS
from tests.support.admin import AuthActions, place, reload

PAGES = ["/admin/orders", "/admin/orders.csv", "/admin/orders/1", "/admin/orders/1/invoice.pdf"]
ACTIONS = [
    "/admin/orders/1/ready",
    "/admin/orders/1/picked-up",
    "/admin/orders/1/cancel",
    "/admin/orders/1/resend-receipt",
    "/admin/logout",
]


def test_login_then_logout(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/orders"
    assert client.get("/admin/orders").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/admin/orders").status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


@pytest.mark.parametrize("path", ACTIONS)
def test_actions_refuse_without_login(
    client: FlaskClient, auth: AuthActions, session: orm.Session, path: str
) -> None:
    place(session)
    response = auth.post(path, data={"reason": "oven broke"})
    assert response.status_code == 401
    assert "not logged in" in response.get_data(as_text=True)


def admin_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) of every admin route, any `<converter:name>` filled with 1."""
    found = [
        (rule.endpoint, method, re.sub(r"<[^>]+>", "1", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and rule.endpoint not in PUBLIC_ENDPOINTS
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    assert len(found) >= len(PAGES) + len(ACTIONS), "the admin routes were not found"
    return found


def test_every_admin_route_needs_a_login(app: Flask, client: FlaskClient) -> None:
    """Guards routes other modules add too: anything under /admin but the login form."""
    for endpoint, method, path in admin_routes(app):
        response = client.open(path, method=method)
        assert response.status_code in (302, 401), (endpoint, method, path)


def test_every_admin_change_is_a_post_with_a_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, csrf: None
) -> None:
    """Guards routes added later too: GET reads, POST writes, and no POST without a token."""
    auth.login()
    for endpoint, method, path in admin_routes(app):
        assert method in ("GET", "POST"), (endpoint, method)
        if method == "POST":
            assert client.post(path).status_code == 400, (endpoint, path)


@pytest.mark.parametrize(
    ("username", "password"),
    [("baker", "wrong password!"), ("nobody", "correct horse battery"), ("", "")],
)
def test_wrong_credentials_are_refused(
    client: FlaskClient, auth: AuthActions, username: str, password: str
) -> None:
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/admin/orders").status_code == 302


def test_login_goes_back_to_a_local_next(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.post(
        "/admin/login",
        data={"username": auth.username, "password": auth.password, "next": "/admin/orders?q=x"},
    )
    assert response.headers["Location"] == "/admin/orders?q=x"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_off_site(auth: AuthActions, target: str) -> None:
    response = auth.post(
        "/admin/login", data={"username": auth.username, "password": auth.password, "next": target}
    )
    assert response.headers["Location"] == "/admin/orders"


def test_csrf_token_required_on_login(client: FlaskClient, auth: AuthActions, csrf: None) -> None:
    response = client.post(
        "/admin/login", data={"username": auth.username, "password": auth.password}
    )
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True).lower()
    assert auth.login().status_code == 302


@pytest.mark.parametrize("path", ACTIONS)
def test_csrf_token_required_on_actions(
    client: FlaskClient, auth: AuthActions, session: orm.Session, csrf: None, path: str
) -> None:
    order = place(session)
    auth.login()
    response = client.post(path, data={"reason": "oven broke"})
    assert response.status_code == 400
    assert reload(session, order).status.value == "placed"
    response = client.post(path, data={"reason": "oven broke", "csrf_token": "forged"})
    assert response.status_code == 400


def test_csrf_is_not_asked_of_the_json_api(client: FlaskClient, csrf: None) -> None:
    response = client.post("/api/order", json={})
    assert response.status_code == 422  # validated as JSON, not refused for a missing token


def test_repeated_logins_are_slowed_down(client: FlaskClient, auth: AuthActions) -> None:
    codes = [auth.login("baker", "wrong password!").status_code for _ in range(5)]
    assert codes == [401] * 5
    response = auth.login()
    assert response.status_code == 429
    assert "Too many refused logins" in response.get_data(as_text=True)


def test_successful_logins_are_not_slowed_down(client: FlaskClient, auth: AuthActions) -> None:
    for _ in range(6):
        assert auth.login().status_code == 302
        assert auth.logout().status_code == 302
    assert [auth.login("baker", "wrong password!").status_code for _ in range(5)] == [401] * 5
    assert auth.login().status_code == 429


def test_session_cookie_flags(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development


def test_session_cookie_is_secure_behind_https(settings: Settings, database: Database) -> None:
    https = Settings.model_validate(
        {**settings.model_dump(), "public_url": "https://cakes.example"}
    )
    secure = create_app(https, database=database)
    assert secure.config["SESSION_COOKIE_SECURE"] is True
