"""The Studio-compatible JSON API through HTTP: menu, price calculator, placing orders."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Customer, MenuOption, Order, OutboxMessage
from cloudcity.domain import Channel
from tests.support.api import counts, order_body


def test_flavours_lists_the_orderable_menu(client: FlaskClient) -> None:
    menu = client.get("/api/flavours").json
    assert menu is not None
    assert menu["size"] == ["Small", "Medium", "Large"]
    assert set(menu) == {"size", "flavour", "frosting", "topping"}
    assert len(menu["flavour"]) >= 5 and len(menu["frosting"]) >= 4
    assert len([t for t in menu["topping"] if t != "None"]) >= 5


def test_switched_off_options_are_not_listed_nor_orderable(
    client: FlaskClient, session: orm.Session
) -> None:
    session.execute(sa.update(MenuOption).where(MenuOption.name == "Lemon").values(active=False))
    session.commit()
    assert "Lemon" not in client.get("/api/flavours").json["flavour"]  # type: ignore[index]
    cake = order_body()["cake"] | {"flavour": "lemon"}
    response = client.post("/api/order", json=order_body(cake=cake))
    assert response.status_code == 422
    assert "Chocolate" in response.json["details"][0]["message"]  # type: ignore[index]


def test_price_calculator_adds_up_the_menu(client: FlaskClient) -> None:
    query = "size=large&flavour=%20Red%20velvet%20&frosting=CREAM+CHEESE&topping=edible%20flowers"
    answer = client.get(f"/api/pricecalculator?{query}").json
    assert answer is not None
    assert answer["total_cents"] == 4200 + 300 + 200 + 550
    assert answer["total"] == 52.5
    assert [line["kind"] for line in answer["breakdown"]] == [
        "size",
        "flavour",
        "frosting",
        "topping",
    ]
    assert answer["cake"]["flavour"] == "Red Velvet"


def test_price_calculator_names_the_missing_and_unknown_choices(client: FlaskClient) -> None:
    response = client.get("/api/pricecalculator?size=huge&flavour=vanilla&frosting=buttercream")
    assert response.status_code == 422
    fields = [d["field"] for d in response.json["details"]]  # type: ignore[index]
    assert fields == ["topping"]
    response = client.get(
        "/api/pricecalculator?size=huge&flavour=vanilla&frosting=buttercream&topping=none"
    )
    assert response.status_code == 422
    assert "Small, Medium, Large" in response.json["details"][0]["message"]  # type: ignore[index]


def test_placing_an_order_stores_it_with_the_server_price(
    client: FlaskClient, session: orm.Session
) -> None:
    response = client.post("/api/order", json=order_body(price="30.00"))
    assert response.status_code == 201
    answer = response.json
    assert answer is not None
    assert answer["price"] == 30 and answer["email"] == "ana@example.com"
    assert answer["cake"]["flavour"] == "Chocolate"
    order = session.get(Order, answer["order_id"])
    assert order is not None
    assert order.price_cents == 3000
    assert order.customer.phone == "+14155550100"
    assert order.customer.channel is Channel.WHATSAPP
    assert answer["order_date"].endswith("+00:00")


def test_placing_an_order_enqueues_its_receipt(client: FlaskClient, session: orm.Session) -> None:
    order_id = client.post("/api/order", json=order_body()).json["order_id"]  # type: ignore[index]
    rows = session.scalars(sa.select(OutboxMessage)).all()
    assert [(r.kind, r.idempotency_key, r.recipient) for r in rows] == [
        ("receipt_email", f"receipt:order:{order_id}", "ana@example.com")
    ]


def test_sms_numbers_are_normalised_and_keep_their_channel(
    client: FlaskClient, session: orm.Session
) -> None:
    customer = {"number": " +1 (415) 555-0199 ", "name": "Bo", "email": "bo@example.com"}
    assert client.post("/api/order", json=order_body(customer=customer)).status_code == 201
    stored = session.scalars(sa.select(Customer)).one()
    assert (stored.phone, stored.channel) == ("+14155550199", Channel.SMS)


def test_a_client_price_that_differs_is_refused_with_the_current_price(
    client: FlaskClient, session: orm.Session
) -> None:
    response = client.post("/api/order", json=order_body(price=25))
    assert response.status_code == 422
    assert "$30.00" in response.json["error"]  # type: ignore[index]
    assert counts(session) == (0, 0, 0)


def test_a_returning_customer_is_the_same_row_with_updated_details(
    client: FlaskClient, session: orm.Session
) -> None:
    client.post("/api/order", json=order_body())
    renamed = {"number": "whatsapp:+14155550100", "name": "Ana B", "email": "ana@new.example"}
    client.post("/api/order", json=order_body(customer=renamed))
    customers = session.scalars(sa.select(Customer)).all()
    assert [(c.name, c.email) for c in customers] == [("Ana B", "ana@new.example")]
    assert counts(session)[:2] == (1, 2)


def test_retries_with_the_same_idempotency_key_place_one_order(
    client: FlaskClient, session: orm.Session
) -> None:
    first = client.post("/api/order", json=order_body(), headers={"Idempotency-Key": "studio-1"})
    again = client.post("/api/order", json=order_body(), headers={"Idempotency-Key": "studio-1"})
    in_body = client.post("/api/order", json=order_body(idempotency_key="studio-1"))
    assert first.status_code == again.status_code == in_body.status_code == 201
    assert first.json == again.json == in_body.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(session) == (1, 1, 1)


def test_an_idempotency_key_reused_for_another_order_is_refused(
    client: FlaskClient, session: orm.Session
) -> None:
    client.post("/api/order", json=order_body(), headers={"Idempotency-Key": "k"})
    other = order_body(cake=order_body()["cake"] | {"size": "Large"})
    response = client.post("/api/order", json=other, headers={"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert counts(session)[1] == 1


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    assert document is not None
    assert document["openapi"].startswith("3.")
    assert {"/api/flavours", "/api/pricecalculator", "/api/order"} <= set(document["paths"])
    order_schema = document["components"]["schemas"]["OrderCreate"]
    assert set(order_schema["required"]) == {"customer", "cake"}


def test_healthz_is_503_when_the_database_is_gone(app: Flask) -> None:
    from cloudcity.db import Database
    from cloudcity.web import create_app

    broken = Database.connect("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    settings = app.extensions["cloudcity"].settings
    response = create_app(settings, database=broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"  # type: ignore[index]
