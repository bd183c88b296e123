"""A pickup reminder's life against Prism mocks of Twilio's and SendGrid's own API contracts.

Ordered through the API with a pickup time, receipted through the real SendGrid adapter,
reminded the day before through the real Twilio adapter with the approved template (an API
customer never wrote to us, so WhatsApp's 24-hour window is closed), and only once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.worker import Worker, build_dispatcher
from cloudcity.web.context import EXTENSION
from tests.support.api import order_body
from tests.support.clock import FakeClock
from tests.support.prism import TEST_AUTH_TOKEN, TEST_CONTENT_SID, PrismMock, prism_providers

TUESDAY_10AM = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # in Los Angeles, the shop's zone
WEDNESDAY_10AM = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def _statuses(database: Database) -> dict[str, tuple[str, int]]:
    with database.sessions() as session:
        found = session.scalars(sa.select(OutboxMessage))
        return {row.kind: (row.status, row.attempts) for row in found}


def test_the_reminder_goes_by_template_the_day_before_and_once(
    app: Flask,
    client: FlaskClient,
    database: Database,
    settings: Settings,
    twilio_mock: PrismMock,
    sendgrid_mock: PrismMock,
) -> None:
    clock = FakeClock(TUESDAY_10AM)
    app.extensions[EXTENSION].clock = clock
    configured = settings.model_copy(
        update={
            "twilio_reminder_content_sid": TEST_CONTENT_SID,
            "twilio_auth_token": SecretStr(TEST_AUTH_TOKEN),
        }
    )
    providers = prism_providers(configured, twilio_mock, sendgrid_mock)
    worker = Worker(database, build_dispatcher(configured, providers), configured, clock=clock)

    answer = client.post("/api/order", json=order_body(pickup_at="2026-12-03T10:00:00-08:00"))
    assert answer.status_code == 201, answer.get_json()
    assert worker.run_once() == 1  # the receipt, with its invoice
    assert _statuses(database) == {"receipt_email": ("sent", 1), "pickup_reminder": ("pending", 0)}

    clock.now = WEDNESDAY_10AM - timedelta(seconds=1)
    assert worker.run_once() == 0
    clock.advance(1)
    assert worker.run_once() == 1
    assert _statuses(database)["pickup_reminder"] == ("sent", 1)
    clock.advance(hours=2)
    assert worker.run_once() == 0
