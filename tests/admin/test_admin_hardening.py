"""What an outside attack found in the admin: prices, browser protections, logout."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app
from tests.support.admin import AuthActions, place


@pytest.mark.parametrize("price", ["1e999990", "1E+999999", "9e999999", "1e-999999", "9" * 5000])
def test_a_menu_price_with_a_huge_exponent_is_a_form_error_at_once(
    client: FlaskClient, auth: AuthActions, price: str
) -> None:
    # How long each takes is bench/hostile_input.py's to measure (budget: one second).
    auth.login()
    response = client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": price})
    assert response.status_code == 422
    assert "Enter a price such as 3.50" in response.get_data(as_text=True)


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)


def _admin_pages(client: FlaskClient, session: orm.Session) -> dict[str, TestResponse]:
    order = place(session)
    paths = [
        "/admin/",
        "/admin/orders",
        "/admin/orders?q=anna",
        f"/admin/orders/{order.id}",
        "/admin/menu",
        "/admin/messages",
        "/admin/orders.csv",
        f"/admin/orders/{order.id}/invoice.pdf",
    ]
    return {path: client.get(path) for path in paths}


def test_admin_pages_carry_browser_protections_and_are_never_cached(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    login_page = client.get("/admin/login")
    auth.login()
    for path, response in {"/admin/login": login_page, **_admin_pages(client, session)}.items():
        assert response.status_code == 200, path
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "script-src 'self'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["Cache-Control"] == "no-store", path


def test_pages_need_no_inline_script_style_or_handler(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    pages = {"/admin/login": client.get("/admin/login"), "/": client.get("/")}
    auth.login()
    pages |= _admin_pages(client, session)
    pages |= {path: client.get(path) for path in ("/dev/chat", "/dev/outbox")}
    for path, response in pages.items():
        if response.mimetype == "text/html":
            found = INLINE.search(response.get_data(as_text=True))
            assert found is None, f"{path}: {found and found.group(0)}"


def test_a_copied_session_cookie_stops_working_after_logout(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    assert client.get("/admin/orders").status_code == 200
    copied = client.get_cookie("session")
    assert copied is not None
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    response = thief.get("/admin/orders")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]
    assert auth.login().status_code == 302  # the baker logs in again as before
    assert client.get("/admin/orders").status_code == 200


def proxied_app(settings: Settings, database: Database, **changes: object) -> Flask:
    """The app behind a proxy of ours (CLOUDCITY_TRUST_PROXY and CLOUDCITY_PROXY_IPS)."""
    app = create_app(settings.model_copy(update=changes), database=database)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


def login_from(app: Flask, peer: str, forwarded_for: str) -> TestResponse:
    """A wrong-password login from `peer` claiming X-Forwarded-For: `forwarded_for`."""
    return app.test_client().post(
        "/admin/login",
        data={"username": "baker", "password": "wrong password!"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": peer},
    )


@pytest.mark.usefixtures("admin_user")
def test_a_client_reaching_the_app_directly_cannot_rotate_x_forwarded_for(
    settings: Settings, database: Database
) -> None:
    app = proxied_app(settings, database, trust_proxy=1)
    codes = [login_from(app, "203.0.113.9", f"198.51.100.{n}").status_code for n in range(6)]
    assert codes == [401] * 5 + [429]


@pytest.mark.usefixtures("admin_user")
def test_through_our_proxy_only_the_configured_hops_are_believed(
    settings: Settings, database: Database
) -> None:
    app = proxied_app(settings, database, trust_proxy=1, proxy_ips="10.0.0.0/8")
    # The client prepends made-up hops; our one proxy appends the address it saw.
    codes = [
        login_from(app, "10.0.0.2", f"198.51.100.{n}, 203.0.113.9").status_code for n in range(6)
    ]
    assert codes == [401] * 5 + [429]
    assert login_from(app, "10.0.0.2", "203.0.113.10").status_code == 401  # someone else


@pytest.mark.usefixtures("admin_user")
def test_a_limited_address_is_told_for_how_long(settings: Settings, database: Database) -> None:
    app = proxied_app(settings, database)
    for _ in range(5):
        login_from(app, "203.0.113.20", "")
    response = login_from(app, "203.0.113.20", "")
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Try again in {seconds} seconds" in response.get_data(as_text=True)


def test_trust_proxy_reads_true_as_one_hop_and_refuses_bad_networks() -> None:
    assert Settings(_env_file=None, trust_proxy="true").trust_proxy == 1  # type: ignore[call-arg,arg-type]
    assert Settings(_env_file=None, trust_proxy="2").trust_proxy == 2  # type: ignore[call-arg,arg-type]
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(_env_file=None, proxy_ips="10.0.0.0/8, proxy.local")  # type: ignore[call-arg]
