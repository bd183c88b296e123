"""Log lines: one per request and per send, a request id from webhook to provider, no PII."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import OutboxMessage
from cloudcity.logs import make_handler, mask
from tests.support.api import order_body
from tests.support.outbox import fake_worker

Capture = Callable[[bool], io.StringIO]


@pytest.fixture
def capture() -> Iterator[Capture]:
    """Send the root logger's lines, at INFO, to a string as JSON or text, for one test."""
    root = logging.getLogger()
    added: list[logging.Handler] = []
    level = root.level

    def start(as_json: bool) -> io.StringIO:
        stream = io.StringIO()
        added.append(make_handler(json=as_json, stream=stream))
        root.addHandler(added[-1])
        root.setLevel(logging.INFO)
        return stream

    yield start
    for handler in added:
        root.removeHandler(handler)
    root.setLevel(level)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """The JSON objects written so far."""
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_an_order_is_followed_from_request_to_send_by_its_request_id(
    client: FlaskClient, database: Database, settings: Settings, capture: Capture
) -> None:
    stream = capture(True)
    response = client.post(
        "/api/order", json=order_body(), headers={"X-Request-Id": "studio-run-42"}
    )
    assert response.status_code == 201
    assert response.headers["X-Request-Id"] == "studio-run-42"
    with database.sessions() as session:
        assert session.scalar(sa.select(OutboxMessage.request_id)) == "studio-run-42"
    fake_worker(database, settings).run_once()
    lines = json_lines(stream)
    request_line = next(line for line in lines if line["logger"] == "cloudcity.request")
    assert request_line["request_id"] == "studio-run-42"
    assert request_line["endpoint"] == "/api/order"
    assert request_line["status"] == 201
    assert request_line["level"] == "INFO"
    send = next(line for line in lines if line.get("outcome") == "sent")
    assert send["request_id"] == "studio-run-42"
    assert send["kind"] == "receipt_email"
    assert send["recipient"] == "a***@example.com"
    assert "ana@example.com" not in stream.getvalue()


def test_an_insane_incoming_request_id_is_replaced(client: FlaskClient) -> None:
    for bad in ("has spaces in it", "x" * 65, "<script>"):
        given = client.get("/healthz", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert given != bad
        assert len(given) == 32
    assert len(client.get("/healthz").headers["X-Request-Id"]) == 32


def test_each_request_gets_its_own_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    assert client.get("/healthz").headers["X-Request-Id"] != first


def test_development_lines_are_readable_and_masked(client: FlaskClient, capture: Capture) -> None:
    stream = capture(False)
    client.get("/readyz", headers={"X-Request-Id": "abc-123"})
    logging.getLogger("cloudcity.test").info("texting whatsapp:+14155550100 about bo@cakes.io")
    text = stream.getvalue()
    assert "INFO cloudcity.request: GET /readyz 200 request_id=abc-123 method=GET" in text
    assert "texting whatsapp:+14*******00 about b***@cakes.io" in text
    assert "+14155550100" not in text


def test_chat_webhook_lines_never_show_the_phone_number(
    client: FlaskClient, capture: Capture
) -> None:
    stream = capture(True)
    form = {"From": "whatsapp:+14155550177", "Body": "hi", "MessageSid": "SM" + "7" * 32}
    assert client.post("/twilio/messages", data=form).status_code == 200
    assert json_lines(stream)
    assert "4155550177" not in stream.getvalue()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+14155550100", "+14*******00"),
        ("call +447700900123 now", "call +44********23 now"),
        ("ana.lima@example.com", "a***@example.com"),
        ("order 12345 at 10:30", "order 12345 at 10:30"),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked
