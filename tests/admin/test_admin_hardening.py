"""What an outside attack found in the admin: prices, browser protections, logout."""

from __future__ import annotations

import re
import time

import pytest
from admin_support import AuthActions, place
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse


@pytest.mark.parametrize("price", ["1e999990", "1E+999999", "9e999999", "1e-999999", "9" * 5000])
def test_a_menu_price_with_a_huge_exponent_is_a_form_error_at_once(
    client: FlaskClient, auth: AuthActions, price: str
) -> None:
    auth.login()
    started = time.perf_counter()
    response = client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": price})
    assert response.status_code == 422
    assert "Enter a price such as 3.50" in response.get_data(as_text=True)
    assert time.perf_counter() - started < 1.0


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)


def _admin_pages(client: FlaskClient, session: orm.Session) -> dict[str, TestResponse]:
    order = place(session)
    paths = [
        "/admin/",
        "/admin/orders",
        "/admin/orders?q=anna",
        f"/admin/orders/{order.id}",
        "/admin/menu",
        "/admin/deliveries",
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
