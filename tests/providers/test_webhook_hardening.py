"""What an outside attack found in the delivery webhooks: unsigned, unbounded, slow, oversized."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings, SettingsError
from cloudcity.db import Database
from cloudcity.db.models import DeliveryEvent, OutboxMessage
from cloudcity.web import create_app
from cloudcity.web.delivery_webhooks import SENDGRID_MAX_EVENTS
from tests.providers import test_delivery_webhooks as base
from tests.providers.test_delivery_webhooks import (
    SID,
    TOKEN,
    _outbox,
    delivery_status,
    sendgrid_post,
    sg_event,
    twilio_callback,
)

signing_key = base.signing_key  # the fixtures of the webhook tests, shared
signed_client = base.signed_client
sent_text = base.sent_text

PRODUCTION = {
    "env": "production",
    "secret_key": "a-production-secret-key-that-is-long-enough",
    "api_user": "studio",
    "api_password": "a-long-api-password",
    "public_url": "https://cakes.example",
    "twilio_auth_token": TOKEN,
}


def production(settings: Settings, **changes: object) -> Settings:
    """The test's settings as production, with the changes."""
    return Settings.model_validate({**settings.model_dump(), **PRODUCTION, **changes})


def test_production_refuses_unsigned_sendgrid_events(
    settings: Settings, database: Database, session: orm.Session
) -> None:
    email = _outbox(session, "receipt_email", "receipt:order:1", "14c5d75ce93.dfd.64b469")
    client = create_app(production(settings), database=database).test_client()
    status, _ = sendgrid_post(client, [sg_event("bounce", "forged-1")], None)
    assert status == 403
    assert delivery_status(session, email) is None
    assert session.scalar(sa.select(sa.func.count()).select_from(DeliveryEvent)) == 0


def test_production_with_sendgrid_but_no_webhook_key_refuses_to_start(
    settings: Settings,
) -> None:
    with pytest.raises(ValueError, match="CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY"):
        production(settings, sendgrid_api_key="SG.real-looking-key")


def test_an_unusable_sendgrid_key_refuses_to_start(settings: Settings, database: Database) -> None:
    with pytest.raises(SettingsError, match="CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY"):
        create_app(
            Settings.model_validate({**settings.model_dump(), "sendgrid_webhook_public_key": "x"}),
            database=database,
        )


def test_production_says_at_start_up_what_its_webhooks_refuse(
    settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        create_app(production(settings, twilio_auth_token=None), database=database)
    errors = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert "TWILIO_AUTH_TOKEN is not set" in errors
    assert "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY is not set" in errors


def test_production_with_twilio_but_no_auth_token_refuses_to_start(settings: Settings) -> None:
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        production(settings, twilio_auth_token=None, twilio_account_sid="AC" + "1" * 32)


def test_a_batch_over_the_event_limit_is_a_413(client: FlaskClient, session: orm.Session) -> None:
    batch = [{"event": "open", "sg_event_id": str(n)} for n in range(SENDGRID_MAX_EVENTS + 1)]
    status, body = sendgrid_post(client, batch, None)
    assert status == 413
    assert isinstance(body, dict) and "5,000" in body["error"]
    assert session.scalar(sa.select(sa.func.count()).select_from(DeliveryEvent)) == 0


def test_a_full_batch_is_recorded_once(
    signed_client: FlaskClient,
    signing_key: ec.EllipticCurvePrivateKey,
    session: orm.Session,
) -> None:
    email = _outbox(session, "receipt_email", "receipt:order:1", "14c5d75ce93.dfd.64b469")
    batch = [sg_event("open", f"e{n}") for n in range(SENDGRID_MAX_EVENTS - 1)]
    batch.append(sg_event("delivered", "last"))
    # How long a full batch takes is bench.delivery_batch's to measure, not a test's.
    status, body = sendgrid_post(signed_client, batch, signing_key)
    assert (status, body) == (
        200,
        {"received": SENDGRID_MAX_EVENTS, "recorded": SENDGRID_MAX_EVENTS},
    )
    assert delivery_status(session, email) == "delivered"
    again = sendgrid_post(signed_client, batch[:10], signing_key)
    assert again == (200, {"received": 10, "recorded": 0})


def test_a_batch_names_each_message_once_and_in_order(
    client: FlaskClient, session: orm.Session
) -> None:
    first = _outbox(session, "receipt_email", "receipt:order:1", "aaa.1")
    second = _outbox(session, "receipt_email", "receipt:order:2", "bbb.2")
    batch = [
        sg_event("delivered", "1", sg_message_id="aaa.1.filter"),
        sg_event("bounce", "2", sg_message_id="aaa.1.filter"),
        sg_event("delivered", "3", sg_message_id="aaa.1.filter"),
        sg_event("processed", "4", outbox_id=second.id),
        sg_event("processed", "4", outbox_id=second.id),
    ]
    status, body = sendgrid_post(client, batch, None)
    assert (status, body) == (200, {"received": 5, "recorded": 4})
    assert delivery_status(session, first) == "bounce"
    assert delivery_status(session, second) == "processed"


def test_twilio_status_keeps_no_oversized_field(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage
) -> None:
    huge = "x" * 4_000
    assert (
        twilio_callback(signed_client, "delivered", To=huge, From=huge, ChannelPrefix=huge) == 204
    )
    stored = session.scalars(sa.select(DeliveryEvent)).one()
    assert len(json.dumps(stored.payload)) < 1_000
    assert stored.payload["MessageSid"] == SID


def test_control_characters_inside_events_are_not_stored(
    client: FlaskClient, session: orm.Session
) -> None:
    event = sg_event(
        "open", "e\u00001", useragent="Mozilla\u001b[2J", extra={"k\u0000": ["\u0007"]}
    )
    status, _ = sendgrid_post(client, [event], None)
    assert status == 200
    stored = session.scalars(sa.select(DeliveryEvent)).one()
    assert stored.event_key == "sendgrid:e1"
    assert stored.payload["useragent"] == "Mozilla[2J"
    assert stored.payload["extra"] == {"k": [""]}
