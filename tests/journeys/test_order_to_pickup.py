"""An order's whole life against Prism mocks of Twilio's and SendGrid's own API contracts.

Order through the API, receipt email through the real SendGrid adapter, marked ready by a
baker, the pickup message through the real Twilio adapter: every provider request the SDKs
make is validated by Prism against the providers' published OpenAPI documents.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import OutboxMessage
from cloudcity.fulfilment import mark_ready
from cloudcity.outbox.worker import Worker, build_dispatcher
from tests.support.api import order_body
from tests.support.prism import TEST_AUTH_TOKEN, TEST_CONTENT_SID, PrismMock, prism_providers


def _rows(database: Database) -> dict[str, OutboxMessage]:
    with database.sessions() as session:
        return {row.kind: row for row in session.scalars(sa.select(OutboxMessage))}


def test_an_order_is_receipted_then_announced_ready_through_the_real_sdks(
    client: FlaskClient,
    database: Database,
    settings: Settings,
    twilio_mock: PrismMock,
    sendgrid_mock: PrismMock,
) -> None:
    configured = settings.model_copy(
        update={
            "twilio_ready_content_sid": TEST_CONTENT_SID,
            "twilio_auth_token": SecretStr(TEST_AUTH_TOKEN),
        }
    )
    dispatcher = build_dispatcher(
        configured, prism_providers(configured, twilio_mock, sendgrid_mock)
    )
    worker = Worker(database, dispatcher, configured)

    order_id = client.post("/api/order", json=order_body()).json["order_id"]  # type: ignore[index]
    assert worker.run_once() == 1
    receipt = _rows(database)["receipt_email"]
    assert (receipt.status, receipt.attempts, receipt.last_error) == ("sent", 1, None)
    assert receipt.provider_message_id

    with database.unit_of_work() as uow:
        mark_ready(uow=uow, order_id=order_id, actor="baker", now=utcnow())
    with database.unit_of_work() as uow:
        mark_ready(
            uow=uow, order_id=order_id, actor="another baker", now=utcnow()
        )  # a second click
    assert worker.run_once() == 1
    ready = _rows(database)["ready_message"]
    # An API order has no recent inbound message: outside WhatsApp's 24 h window the
    # approved template goes out, which Prism accepts only with a well-formed ContentSid.
    assert (ready.status, ready.last_error) == ("sent", None)
    assert ready.provider_message_id
    assert worker.run_once() == 0  # nothing sent twice


def test_a_template_the_contract_refuses_fails_at_once_with_its_reason(
    client: FlaskClient,
    database: Database,
    settings: Settings,
    twilio_mock: PrismMock,
    sendgrid_mock: PrismMock,
) -> None:
    broken = settings.model_copy(update={"twilio_ready_content_sid": "HX-not-a-template"})
    worker = Worker(
        database,
        build_dispatcher(broken, prism_providers(broken, twilio_mock, sendgrid_mock)),
        broken,
    )
    order_id = client.post("/api/order", json=order_body()).json["order_id"]  # type: ignore[index]
    worker.run_once()
    with database.unit_of_work() as uow:
        mark_ready(uow=uow, order_id=order_id, actor="baker", now=utcnow())
    worker.run_once()
    ready = _rows(database)["ready_message"]
    assert ready.status == "failed"  # a 4xx is permanent: no retry storm
    assert ready.attempts == 1
    assert ready.last_error and "422" in ready.last_error
