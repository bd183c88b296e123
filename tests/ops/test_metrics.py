"""/metrics: counters that move with orders, chat and sends; figures read from the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.outbox.receipts import DocumentsRenderer
from cloudcity.providers.ports import DeliveryError
from cloudcity.web import create_app
from tests.support.api import order_body
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender
from tests.support.outbox import fake_worker

TOKEN = "a-metrics-token-of-some-length"


def scrape(
    client: FlaskClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    """One sample's value, 0 when absent (a counter not yet counted)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def token_client(settings: Settings, database: Database) -> FlaskClient:
    """An app whose /metrics wants the bearer token."""
    locked = settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    app: Flask = create_app(locked, database=database)
    return app.test_client()


def test_an_order_moves_the_order_and_request_counters(client: FlaskClient) -> None:
    before = scrape(client)
    assert client.post("/api/order", json=order_body()).status_code == 201
    after = scrape(client)
    placed = "cloudcity_orders_placed_total"
    assert value(after, placed, source="api") == value(before, placed, source="api") + 1
    labels = {"endpoint": "/api/order", "method": "POST", "status": "201"}
    requests = "cloudcity_http_requests_total"
    assert value(after, requests, **labels) == value(before, requests, **labels) + 1
    latency = "cloudcity_http_request_duration_seconds_count"
    assert value(after, latency, endpoint="/api/order", status="201") >= 1
    assert value(after, "cloudcity_outbox_messages", kind="receipt_email", status="pending") == 1
    assert value(after, "cloudcity_outbox_due") == 1
    assert value(after, "cloudcity_worker_heartbeat_age_seconds") == float("inf")


def test_a_failed_then_good_send_moves_attempts_failures_and_pdf_time(
    client: FlaskClient, database: Database, settings: Settings
) -> None:
    assert client.post("/api/order", json=order_body()).status_code == 201
    email, clock = FakeEmailSender(), FakeClock(utcnow() + timedelta(minutes=1))
    worker = fake_worker(database, settings, email=email, renderer=DocumentsRenderer(), clock=clock)
    before = scrape(client)
    email.fail_next(DeliveryError("SendGrid answered 503", permanent=False, status=503))
    assert worker.run_once() == 1
    clock.advance(hours=1)
    assert worker.run_once() == 1
    assert len(email.sent) == 1
    after = scrape(client)
    attempts = "cloudcity_outbox_send_attempts_total"
    labels = {"provider": "fakeemail", "kind": "receipt_email"}
    assert value(after, attempts, **labels) == value(before, attempts, **labels) + 2
    failures = "cloudcity_outbox_send_failures_total"
    failed = {"provider": "fakeemail", "error_class": "provider_error"}
    assert value(after, failures, **failed) == value(before, failures, **failed) + 1
    rendered = "cloudcity_pdf_render_seconds_count"
    assert value(after, rendered) == value(before, rendered) + 2
    assert value(after, "cloudcity_worker_heartbeat_age_seconds") < float("inf")


def test_chat_messages_in_and_out_are_counted(client: FlaskClient) -> None:
    before = scrape(client)
    form = {"From": "whatsapp:+14155550100", "Body": "hi", "MessageSid": "SM" + "1" * 32}
    assert client.post("/twilio/messages", data=form).status_code == 200
    after = scrape(client)
    chat = "cloudcity_chat_messages_total"
    for direction in ("in", "out"):
        assert (
            value(after, chat, direction=direction) == value(before, chat, direction=direction) + 1
        )


def test_metrics_refuse_a_missing_or_wrong_token(token_client: FlaskClient) -> None:
    assert token_client.get("/metrics").status_code == 401
    wrong = token_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "CLOUDCITY_METRICS_TOKEN" in wrong.json["error"]  # type: ignore[index]
    assert scrape(token_client, Authorization=f"Bearer {TOKEN}")


def test_without_a_token_only_this_machine_may_scrape(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 200
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403


def test_a_short_token_is_refused_in_production() -> None:
    from cloudcity.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="CLOUDCITY_METRICS_TOKEN must be at least 16"):
        load_settings(
            _env_file=None,
            env="production",
            secret_key="s" * 40,
            api_user="studio",
            api_password="p" * 20,
            public_url="https://cakes.example",
            metrics_token="short",
        )
