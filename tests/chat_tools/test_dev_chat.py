"""The dev chat simulator: a page and a JSON endpoint on the same engine as the webhook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Order
from cloudcity.web import create_app
from tests.support.chat import WHOLE_ORDER

ORIGIN = {"Origin": "http://localhost"}
ORDER = ["hi", *WHOLE_ORDER]


def say(client: FlaskClient, body: str, sender: str = "whatsapp:+14155550100") -> TestResponse:
    return client.post("/dev/chat/send", json={"from": sender, "body": body}, headers=ORIGIN)


def test_the_page_is_served_with_local_assets(client: FlaskClient) -> None:
    page = client.get("/dev/chat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="/static/dev/chat.js"' in html
    assert 'href="/static/dev/chat.css"' in html
    assert 'data-send-url="/dev/chat/send"' in html
    assert "Cloud City Cake Company" in html
    assert "http" not in html.replace("http://localhost", "")  # no CDN, nothing remote
    for asset in ("/static/dev/chat.js", "/static/dev/chat.css"):
        response = client.get(asset)
        assert response.status_code == 200
        response.close()


def test_a_whole_order_through_the_simulator(client: FlaskClient, session: orm.Session) -> None:
    answers = [say(client, line).get_json() for line in ORDER]
    assert "What size would you like?" in answers[0]["replies"][0]
    order = session.scalars(sa.select(Order)).one()
    assert answers[-1]["order_id"] == order.id
    assert f"Order #{order.id} is placed" in answers[-1]["replies"][0]
    assert all(a["order_id"] is None for a in answers[:-1])
    inbound = session.scalars(sa.select(ChatMessage).where(ChatMessage.direction == "in")).all()
    assert len({m.message_sid for m in inbound}) == len(ORDER)
    assert all(m.message_sid and m.message_sid.startswith("SM") for m in inbound)


def test_it_shares_the_conversation_with_the_webhook(client: FlaskClient) -> None:
    say(client, "hi", sender="+14155550123")
    webhook = client.post(
        "/twilio/messages",
        data={"From": "+14155550123", "To": "+14155550123", "Body": "Large", "NumMedia": "0",
              "MessageSid": "SM" + "a" * 32},
    )  # fmt: skip
    assert "Which flavour?" in webhook.get_data(as_text=True)
    assert "Which frosting?" in say(client, "Vanilla", sender="+14155550123").json["replies"][0]


def test_silence_is_an_empty_list_of_replies(client: FlaskClient) -> None:
    say(client, "hi")
    assert say(client, "STOP").get_json() == {"replies": [], "order_id": None}


def test_an_unreadable_number_gets_the_engines_apology(client: FlaskClient) -> None:
    reply = say(client, "hi", sender="+15555550100").get_json()
    assert "couldn't read the phone number" in reply["replies"][0]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://evil.example"}, {"Referer": "http://evil.example/dev/chat"},
     {"Origin": "https://localhost"}],
)  # fmt: skip
def test_refuses_other_origins(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/dev/chat/send", json={"from": "+14155550100", "body": "hi"},
                           headers=headers)  # fmt: skip
    assert response.status_code == 403
    assert "Origin" in response.json["error"]


def test_a_same_origin_referer_is_enough(client: FlaskClient) -> None:
    response = client.post(
        "/dev/chat/send",
        json={"from": "+14155550100", "body": "hi"},
        headers={"Referer": "http://localhost/dev/chat"},
    )
    assert response.status_code == 200


def test_refuses_a_form_post(client: FlaskClient) -> None:
    response = client.post(
        "/dev/chat/send", data={"from": "+14155550100", "body": "hi"}, headers=ORIGIN
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"from": "+14155550100"}, "body"), ({"from": "", "body": "hi"}, "from"),
     ({"from": "+14155550100", "body": "x" * 1601}, "body"), ([1, 2], "body")],
)  # fmt: skip
def test_refuses_bad_fields(client: FlaskClient, payload: Any, field: str) -> None:
    response = client.post("/dev/chat/send", json=payload, headers=ORIGIN)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json["details"]]


@pytest.fixture
def production_app(settings: Settings, database: Database) -> Flask:
    production = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        database_url=settings.database_url,
        var_dir=settings.var_dir,
        run_worker_in_app=False,
        secret_key="a-real-production-secret-key-for-tests",
        api_user="baker",
        api_password="a-real-api-password",
        public_url="https://cakes.example",
    )
    return create_app(production, database=database)


def test_not_there_in_production(production_app: Flask, session: orm.Session) -> None:
    client = production_app.test_client()
    assert client.get("/dev/chat").status_code == 404
    response = client.post(
        "/dev/chat/send", json={"from": "+14155550100", "body": "hi"}, headers=ORIGIN
    )
    assert response.status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(ChatMessage)) == 0


def test_the_static_files_exist_in_the_package() -> None:
    static = Path(__file__).resolve().parents[2] / "src" / "cloudcity" / "static" / "dev"
    assert (static / "chat.js").read_text().startswith("// The chat simulator")
