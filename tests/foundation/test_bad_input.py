"""Bad input gets a clear 4xx JSON error and changes nothing; no client request yields a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from tests.support.api import counts, order_body

CAKE = order_body()["cake"]
CUSTOMER = order_body()["customer"]

BAD_BODIES: list[tuple[str, Any, int, str]] = [
    ("not an object", [1, 2], 400, "body"),
    ("a string", "hello", 400, "body"),
    ("no customer", {"cake": CAKE}, 422, "customer"),
    ("no cake", {"customer": CUSTOMER}, 422, "cake"),
    ("cake is a list", order_body(cake=["Medium"]), 422, "cake"),
    ("size is a number", order_body(cake=CAKE | {"size": 3}), 422, "cake.size"),
    ("unknown flavour", order_body(cake=CAKE | {"flavour": "bacon"}), 422, "cake.flavour"),
    ("empty topping", order_body(cake=CAKE | {"topping": "  "}), 422, "cake.topping"),
    ("unexpected field", order_body(cake=CAKE | {"candles": 5}), 422, "cake.candles"),
    ("bad email", order_body(customer=CUSTOMER | {"email": "ana@"}), 422, "customer.email"),
    (
        "email too long",
        order_body(customer=CUSTOMER | {"email": "a" * 250 + "@x.io"}),
        422,
        "customer.email",
    ),
    (
        "no country code",
        order_body(customer=CUSTOMER | {"number": "4155550100"}),
        422,
        "customer.number",
    ),
    ("not a phone", order_body(customer=CUSTOMER | {"number": "+1 555"}), 422, "customer.number"),
    (
        "phone is a number",
        order_body(customer=CUSTOMER | {"number": 14155550100}),
        422,
        "customer.number",
    ),
    ("name too long", order_body(customer=CUSTOMER | {"name": "A" * 101}), 422, "customer.name"),
    ("empty name", order_body(customer=CUSTOMER | {"name": ""}), 422, "customer.name"),
    ("negative price", order_body(price=-30), 422, "price"),
    ("price is text", order_body(price="thirty"), 422, "price"),
    ("price is true", order_body(price=True), 422, "price"),
    ("price has cents of cents", order_body(price="30.001"), 422, "price"),
    ("price is a list", order_body(price=[30]), 422, "price"),
    ("wrong price", order_body(price="31"), 422, "price"),
    ("huge number", order_body(price=1e400), 422, "price"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
def test_bad_order_bodies_are_refused_and_change_nothing(
    client: FlaskClient, session: orm.Session, case: str, body: Any, status: int, field: str
) -> None:
    response = client.post("/api/order", json=body)
    assert response.status_code == status, response.json
    answer = response.json
    assert answer is not None
    assert isinstance(answer["error"], str) and answer["error"]
    assert field in [d["field"] for d in answer["details"]], answer
    assert counts(session) == (0, 0, 0)


RAW_BODIES = [
    ("malformed json", b'{"customer": ', "application/json", 400),
    ("invalid utf-8", b'{"a": "\xff"}', "application/json", 400),
    ("NaN price", b'{"price": NaN}', "application/json", 422),
    ("form post", b"size=large", "application/x-www-form-urlencoded", 415),
    ("empty body", b"", "application/json", 400),
    ("deep nesting", b"[" * 5000 + b"]" * 5000, "application/json", 400),
]


@pytest.mark.parametrize(
    ("case", "data", "content_type", "status"), RAW_BODIES, ids=[r[0] for r in RAW_BODIES]
)
def test_unparseable_bodies_are_refused(
    client: FlaskClient,
    session: orm.Session,
    case: str,
    data: bytes,
    content_type: str,
    status: int,
) -> None:
    response = client.post("/api/order", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.json is not None and response.json["error"]
    assert counts(session) == (0, 0, 0)


def test_a_body_over_the_limit_is_413(client: FlaskClient, session: orm.Session) -> None:
    huge = order_body(customer=CUSTOMER | {"name": "A" * 20_000})
    response = client.post("/api/order", json=huge)
    assert response.status_code == 413
    assert response.json is not None and response.json["error"]
    assert counts(session) == (0, 0, 0)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/order"),
        ("delete", "/api/order"),
        ("post", "/api/flavours"),
        ("get", "/api/order"),
    ],
)
def test_wrong_methods_are_405_in_json(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.json is not None and response.json["details"] == []
    assert "Allow" in response.headers


def test_unknown_api_paths_are_404_in_json(client: FlaskClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json is not None and response.json["error"]


def test_query_values_too_long_are_422(client: FlaskClient) -> None:
    response = client.get(f"/api/pricecalculator?size={'x' * 500}&flavour=a&frosting=b&topping=c")
    assert response.status_code == 422
