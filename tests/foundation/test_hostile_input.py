"""What an outside attack sent to the JSON API: each answer is a 4xx, never a 500.

That each is quick (under a second) is measured by bench/hostile_input.py, not asserted here.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Customer, Order
from cloudcity.web import create_app
from tests.support.api import counts, order_body

HUGE_EXPONENTS = ["1e999990", "1E+999999", "9.99e999999", "-1e999999", "1e-999999", "1e4301"]


def _post_raw(client: FlaskClient, text: str) -> int:
    return client.post("/api/order", data=text, content_type="application/json").status_code


@pytest.mark.parametrize("price", HUGE_EXPONENTS)
def test_a_price_with_a_huge_exponent_is_refused_at_once(
    client: FlaskClient, session: orm.Session, price: str
) -> None:
    as_number = json.dumps(order_body(price="PRICE")).replace('"PRICE"', price)
    as_string = json.dumps(order_body(price=price))
    for text in (as_number, as_string):
        assert _post_raw(client, text) == 422, text
    assert counts(session) == (0, 0, 0)


def test_a_price_with_thousands_of_digits_is_refused_at_once(client: FlaskClient) -> None:
    for digits in ("9" * 4300, "9" * 5000, "0." + "0" * 5000 + "1"):
        text = json.dumps(order_body(price="PRICE")).replace('"PRICE"', digits)
        assert _post_raw(client, text) in (400, 422)


CONTROL = "\x00\x1b[2J\x07\x7f\x9b\ud800"


def test_control_characters_never_reach_the_database(
    client: FlaskClient, session: orm.Session
) -> None:
    body = order_body(
        customer={"number": "+14155550100", "name": f"A{CONTROL}na", "email": "ana@example.com"},
        cake={
            "size": "Med\x00ium\x9b\ud800",
            "flavour": "Chocolate\x00",
            "frosting": "Buttercream",
            "topping": "None",
        },
        idempotency_key=f"key{CONTROL}1",
    )
    response = client.post("/api/order", json=body)
    assert response.status_code == 201, response.get_json()
    customer = session.scalars(sa.select(Customer)).one()
    order = session.scalars(sa.select(Order)).one()
    assert customer.name == "A[2Jna"
    assert order.idempotency_key == "key[2J1"


def test_a_nul_in_an_idempotency_key_header_is_cleaned(client: FlaskClient) -> None:
    first = client.post("/api/order", json=order_body(), headers={"Idempotency-Key": "a\x00b"})
    again = client.post("/api/order", json=order_body(), headers={"Idempotency-Key": "ab"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"


def test_only_control_characters_is_an_empty_field(client: FlaskClient) -> None:
    body = order_body(customer={"number": "+14155550100", "name": "\x00\x01", "email": "a@b.io"})
    response = client.post("/api/order", json=body)
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "customer.name"


def test_control_characters_in_the_price_calculator_query(client: FlaskClient) -> None:
    query = "size=Med%00ium&flavour=Chocolate%1B&frosting=Buttercream&topping=None%C2%9B"
    response = client.get(f"/api/pricecalculator?{query}")
    assert response.status_code == 200
    assert response.get_json()["cake"]["size"] == "Medium"
    assert (
        client.get("/api/pricecalculator?size=%00&flavour=a&frosting=b&topping=c").status_code
        == 422
    )


def test_a_utf8_idempotency_key_is_stored_as_written(
    client: FlaskClient, session: orm.Session
) -> None:
    key = "commande-été-🎂"
    header = key.encode().decode("latin-1")  # what a client's UTF-8 bytes look like to WSGI
    response = client.post("/api/order", json=order_body(), headers={"Idempotency-Key": header})
    assert response.status_code == 201
    assert session.scalars(sa.select(Order.idempotency_key)).one() == key


def test_the_openapi_document_declares_auth_only_when_required(
    client: FlaskClient, settings: Settings, database: Database
) -> None:
    open_document = client.get("/api/openapi.json").get_json()
    assert "security" not in open_document
    assert "securitySchemes" not in open_document["components"]
    keyed = Settings.model_validate(
        {**settings.model_dump(), "api_user": "studio", "api_password": "a-long-api-password"}
    )
    document = create_app(keyed, database=database).test_client().get("/api/openapi.json").json
    assert document is not None and document["security"] == [{"basic": []}]


def test_the_price_calculator_parameters_say_what_the_server_takes(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    parameters = document["paths"]["/api/pricecalculator"]["get"]["parameters"]
    size = next(p for p in parameters if p["name"] == "size")["schema"]
    assert (size["minLength"], size["maxLength"]) == (1, 80)
    assert size["enum"] == client.get("/api/flavours").get_json()["size"]
