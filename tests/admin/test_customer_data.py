"""The admin's customer data page: export and erase by phone, POST with CSRF only."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from cloudcity.db import Database
from cloudcity.db.models import Customer
from tests.support.admin import AuthActions
from tests.support.outbox import place

PHONE = "+14155550100"  # tests.support.outbox.place's customer (Ana Lima)


def test_export_downloads_the_customer_s_rows(
    client: FlaskClient, auth: AuthActions, database: Database, csrf: None
) -> None:
    order_id = place(database)
    auth.login()
    response = auth.post("/admin/customers/export", data={"phone": PHONE})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    tables = json.loads(response.get_data(as_text=True))["tables"]
    assert [row["id"] for row in tables["orders"]] == [order_id]
    assert tables["customers"][0]["name"] == "Ana Lima"


def test_erase_needs_the_confirmation_word_then_anonymises(
    client: FlaskClient, auth: AuthActions, database: Database, csrf: None
) -> None:
    place(database)
    auth.login()
    refused = auth.post("/admin/customers/erase", data={"phone": PHONE, "confirm": "yes"})
    assert refused.status_code == 302
    assert _names(database) == ["Ana Lima"]
    done = auth.post(
        "/admin/customers/erase", data={"phone": PHONE, "confirm": "ERASE"}, follow_redirects=True
    )
    assert "erased; their orders are kept" in done.get_data(as_text=True)
    assert _names(database) == [None]


@pytest.mark.parametrize("path", ["/admin/customers/export", "/admin/customers/erase"])
def test_posts_without_a_csrf_token_are_refused(
    client: FlaskClient, auth: AuthActions, database: Database, csrf: None, path: str
) -> None:
    place(database)
    auth.login()
    response = client.post(path, data={"phone": PHONE, "confirm": "ERASE"})
    assert response.status_code == 400
    assert _names(database) == ["Ana Lima"]


def test_an_unknown_number_is_flashed(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    page = client.post(
        "/admin/customers/export", data={"phone": "+14155550999"}, follow_redirects=True
    )
    assert "no customer has the number +14155550999" in page.get_data(as_text=True)


def test_the_page_needs_a_login(client: FlaskClient) -> None:
    assert client.get("/admin/customers").status_code in (302, 401)


def _names(database: Database) -> list[str | None]:
    with database.sessions() as session:
        return list(session.scalars(sa.select(Customer.name)))
