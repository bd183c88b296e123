"""`cake.inscription` and `note` on POST /api/order: checked exactly as the chat checks them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Order
from cloudcity.web import create_app
from tests.support.api import counts, order_body


def with_writing(inscription: Any = None, note: Any = None, **changes: Any) -> dict[str, Any]:
    """A valid order body with an inscription and a note (None: left out)."""
    body = order_body(**changes)
    if inscription is not None:
        body["cake"]["inscription"] = inscription
    if note is not None:
        body["note"] = note
    return body


def stored(session: orm.Session) -> tuple[str | None, str | None]:
    """The one order's inscription and note, read fresh."""
    session.expire_all()
    order = session.scalars(sa.select(Order)).one()
    return order.inscription, order.note


def test_an_inscription_and_a_note_are_stored_and_answered(
    client: FlaskClient, session: orm.Session
) -> None:
    body = with_writing('Happy 7th, "Zoë"!', "allergic to nuts")
    response = client.post("/api/order", json=body)
    assert response.status_code == 201, response.json
    answer = response.json
    assert answer is not None
    assert answer["cake"]["inscription"] == 'Happy 7th, "Zoë"!'
    assert answer["note"] == "allergic to nuts"
    assert stored(session) == ('Happy 7th, "Zoë"!', "allergic to nuts")


@pytest.mark.parametrize("words", ["עוד שנה טובה", "عيد ميلاد سعيد", "जन्मदिन मुबारक", "お誕生日"])
def test_any_language_is_fine(client: FlaskClient, session: orm.Session, words: str) -> None:
    assert client.post("/api/order", json=with_writing(words)).status_code == 201
    assert stored(session) == (words, None)


def test_no_inscription_and_a_blank_one_mean_nothing_written(
    client: FlaskClient, session: orm.Session
) -> None:
    response = client.post("/api/order", json=with_writing("   ", " "))
    assert response.status_code == 201
    assert response.json["cake"]["inscription"] is None  # type: ignore[index]
    assert stored(session) == (None, None)


def test_line_breaks_and_runs_of_spaces_become_one_space(
    client: FlaskClient, session: orm.Session
) -> None:
    assert (
        client.post("/api/order", json=with_writing(" Happy\n\nbirthday   Bo ")).status_code == 201
    )
    assert stored(session) == ("Happy birthday Bo", None)


REFUSED = {
    "emoji": ("Happy birthday 🎂", "🎂"),
    "heart emoji": ("I ❤️ you", "❤"),
    "keycap": ("1️⃣", "U+FE0F"),
    "bidi override": ("\u202eevil", "U+202E"),
    "over the limit": ("x" * 41, "That's 41 characters and we can fit 40"),
}


@pytest.mark.parametrize(("words", "why"), REFUSED.values(), ids=REFUSED.keys())
def test_what_cannot_be_piped_is_refused_with_the_reason(
    client: FlaskClient, session: orm.Session, words: str, why: str
) -> None:
    response = client.post("/api/order", json=with_writing(words))
    assert response.status_code == 422
    answer = response.json
    assert answer is not None
    assert answer["error"] == "the inscription can't be piped"
    [detail] = answer["details"]
    assert detail["field"] == "cake.inscription"
    assert why in detail["message"]
    assert counts(session) == (0, 0, 0)


def test_combining_marks_do_not_count_towards_the_limit(client: FlaskClient) -> None:
    accented = "e\u0301" * 40  # 40 letters as a reader sees them, 80 code points
    assert client.post("/api/order", json=with_writing(accented)).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (with_writing("x" * 201), "cake.inscription"),
        (with_writing(12), "cake.inscription"),
        (with_writing(note="n" * 501), "note"),
        (with_writing(note=["nuts"]), "note"),
    ],
    ids=["inscription over the hard cap", "inscription not text", "long note", "note not text"],
)
def test_malformed_writing_is_a_422_naming_the_field(
    client: FlaskClient, session: orm.Session, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/order", json=body)
    assert response.status_code == 422
    fields = [detail["field"] for detail in response.json["details"]]  # type: ignore[index]
    assert field in fields
    assert counts(session) == (0, 0, 0)


@pytest.fixture
def short_limit_app(settings: Settings, database: Database) -> Flask:
    """The app of a shop that pipes at most 10 characters."""
    return create_app(settings.model_copy(update={"inscription_max_chars": 10}), database=database)


def test_the_limit_is_the_shops_setting(short_limit_app: Flask) -> None:
    client = short_limit_app.test_client()
    assert client.post("/api/order", json=with_writing("Hi Bo!")).status_code == 201
    refused = client.post("/api/order", json=with_writing("Happy birthday"))
    assert refused.status_code == 422
    assert "we can fit 10" in refused.json["details"][0]["message"]  # type: ignore[index]
    document = client.get("/api/openapi.json").json
    cake = document["components"]["schemas"]["OrderCakeIn"]["properties"]  # type: ignore[index]
    assert "this shop: 10 characters" in cake["inscription"]["description"]


def test_the_idempotency_key_covers_the_inscription(client: FlaskClient) -> None:
    first = with_writing("Hi Bo", idempotency_key="k-1")
    assert client.post("/api/order", json=first).status_code == 201
    again = client.post("/api/order", json=first)
    assert again.status_code == 201
    assert again.json["cake"]["inscription"] == "Hi Bo"  # type: ignore[index]
    other = client.post("/api/order", json=with_writing("Hi Al", idempotency_key="k-1"))
    assert other.status_code == 409


def test_the_price_calculator_takes_no_inscription(client: FlaskClient) -> None:
    query = "size=small&flavour=vanilla&frosting=buttercream&topping=none&inscription=Hi"
    response = client.get(f"/api/pricecalculator?{query}")
    assert response.status_code == 422
