"""POST /twilio/status and POST /sendgrid/events: signed, stored once, never backwards."""

from __future__ import annotations

import base64
import json
import time

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask.testing import FlaskClient
from sqlalchemy import orm
from twilio.request_validator import RequestValidator

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import DeliveryEvent, OutboxMessage
from cloudcity.web import create_app
from tests.support.chat import status_callback

PUBLIC_URL = "https://cakes.example"
TOKEN = "twilio-test-auth-token"
SID = "SM" + "b" * 32
SG_ID = "14c5d75ce93.dfd.64b469"


@pytest.fixture
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def signed_client(
    settings: Settings, database: Database, signing_key: ec.EllipticCurvePrivateKey
) -> FlaskClient:
    """The app with a Twilio auth token and a SendGrid verification key configured."""
    der = signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    configured = Settings.model_validate(
        {
            **settings.model_dump(),
            "twilio_auth_token": TOKEN,
            "public_url": PUBLIC_URL,
            "sendgrid_webhook_public_key": base64.b64encode(der).decode(),
        }
    )
    app = create_app(configured, database=database)
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture
def sent_text(session: orm.Session) -> OutboxMessage:
    return _outbox(session, "ready_message", "ready:order:1", SID)


@pytest.fixture
def sent_email(session: orm.Session) -> OutboxMessage:
    return _outbox(session, "receipt_email", "receipt:order:1", SG_ID)


def _outbox(session: orm.Session, kind: str, key: str, provider_id: str) -> OutboxMessage:
    row = OutboxMessage(
        kind=kind,
        idempotency_key=key,
        recipient="x",
        status="sent",
        provider_message_id=provider_id,
    )
    session.add(row)
    session.commit()
    return row


def twilio_callback(client: FlaskClient, status: str, *, sid: str = SID, **extra: str) -> int:
    return status_callback(client, sid, status, public_url=PUBLIC_URL, token=TOKEN, **extra)


def delivery_status(session: orm.Session, row: OutboxMessage) -> str | None:
    session.expire_all()
    return session.get(OutboxMessage, row.id).delivery_status  # type: ignore[union-attr]


def events(session: orm.Session) -> list[DeliveryEvent]:
    return list(session.scalars(sa.select(DeliveryEvent).order_by(DeliveryEvent.id)))


def test_twilio_status_updates_the_outbox_row(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage
) -> None:
    assert twilio_callback(signed_client, "sent") == 204
    assert twilio_callback(signed_client, "delivered") == 204
    assert delivery_status(session, sent_text) == "delivered"
    recorded = events(session)
    assert [(e.event_key, e.outbox_id) for e in recorded] == [
        (f"twilio:{SID}:sent", sent_text.id),
        (f"twilio:{SID}:delivered", sent_text.id),
    ]


def test_a_bad_twilio_signature_is_refused(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage
) -> None:
    form = {"MessageSid": SID, "MessageStatus": "delivered"}
    response = signed_client.post(
        "/twilio/status", data=form, headers={"X-Twilio-Signature": "forged"}
    )
    assert response.status_code == 403
    assert events(session) == [] and delivery_status(session, sent_text) is None


def test_a_repeated_twilio_callback_is_stored_once(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage
) -> None:
    assert twilio_callback(signed_client, "delivered") == 204
    assert twilio_callback(signed_client, "delivered") == 204
    assert len(events(session)) == 1


@pytest.mark.parametrize(
    ("sequence", "final"),
    [
        (["delivered", "sent"], "delivered"),
        (["read", "delivered", "sending"], "read"),
        (["sent", "failed"], "failed"),
        (["failed", "sent", "delivered"], "failed"),
        (["delivered", "undelivered"], "delivered"),
        (["queued", "sending", "sent"], "sent"),
    ],
)
def test_twilio_status_never_moves_backwards(
    signed_client: FlaskClient,
    session: orm.Session,
    sent_text: OutboxMessage,
    sequence: list[str],
    final: str,
) -> None:
    for status in sequence:
        assert twilio_callback(signed_client, status) == 204
    assert delivery_status(session, sent_text) == final


def test_twilio_failure_keeps_its_error_code(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage
) -> None:
    twilio_callback(signed_client, "undelivered", ErrorCode="63016")
    (event,) = events(session)
    assert (event.event, event.error_code) == ("undelivered", "63016")


def test_an_unknown_message_sid_is_recorded_anyway(
    signed_client: FlaskClient, session: orm.Session
) -> None:
    assert twilio_callback(signed_client, "delivered", sid="SM" + "c" * 32) == 204
    (event,) = events(session)
    assert event.outbox_id is None and event.provider_message_id == "SM" + "c" * 32


def test_a_twilio_callback_without_a_status_is_a_bad_request(signed_client: FlaskClient) -> None:
    form = {"MessageSid": SID}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC_URL}/twilio/status", form)
    response = signed_client.post(
        "/twilio/status", data=form, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 400 and "MessageStatus" in response.json["error"]  # type: ignore[index]


def sendgrid_post(
    client: FlaskClient,
    batch: object,
    key: ec.EllipticCurvePrivateKey | None,
    *,
    raw: str | None = None,
) -> tuple[int, object]:
    payload = raw if raw is not None else json.dumps(batch)
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json"}
    if key is not None:
        signature = key.sign((timestamp + payload).encode(), ec.ECDSA(hashes.SHA256()))
        headers["X-Twilio-Email-Event-Webhook-Signature"] = base64.b64encode(signature).decode()
        headers["X-Twilio-Email-Event-Webhook-Timestamp"] = timestamp
    response = client.post("/sendgrid/events", data=payload, headers=headers)
    return response.status_code, response.json


def sg_event(event: str, event_id: str, **extra: object) -> dict[str, object]:
    return {
        "email": "ada@example.com",
        "timestamp": 1700000000,
        "event": event,
        "sg_event_id": event_id,
        "sg_message_id": f"{SG_ID}.filter0001.16648.5515E0B88.0",
        **extra,
    }


def test_signed_sendgrid_events_update_the_email_by_message_id(
    signed_client: FlaskClient,
    session: orm.Session,
    sent_email: OutboxMessage,
    signing_key: ec.EllipticCurvePrivateKey,
) -> None:
    batch = [sg_event("processed", "e1"), sg_event("delivered", "e2"), sg_event("deferred", "e3")]
    status, body = sendgrid_post(signed_client, batch, signing_key)
    assert (status, body) == (200, {"received": 3, "recorded": 3})
    assert delivery_status(session, sent_email) == "delivered"
    assert {e.event_key for e in events(session)} == {"sendgrid:e1", "sendgrid:e2", "sendgrid:e3"}


def test_a_forged_sendgrid_batch_is_refused(
    signed_client: FlaskClient, session: orm.Session, sent_email: OutboxMessage
) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())
    status, _ = sendgrid_post(signed_client, [sg_event("delivered", "e1")], forger)
    assert status == 403
    unsigned, _ = sendgrid_post(signed_client, [sg_event("delivered", "e1")], None)
    assert unsigned == 403
    assert events(session) == []


def test_a_tampered_sendgrid_body_is_refused(
    signed_client: FlaskClient, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    payload = json.dumps([sg_event("delivered", "e1")])
    timestamp = str(int(time.time()))
    signature = signing_key.sign((timestamp + payload).encode(), ec.ECDSA(hashes.SHA256()))
    response = signed_client.post(
        "/sendgrid/events",
        data=payload.replace("delivered", "bounce"),
        headers={
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
    )
    assert response.status_code == 403


def test_repeated_sendgrid_events_are_stored_once(
    signed_client: FlaskClient,
    session: orm.Session,
    sent_email: OutboxMessage,
    signing_key: ec.EllipticCurvePrivateKey,
) -> None:
    batch = [sg_event("delivered", "e1")]
    assert sendgrid_post(signed_client, batch, signing_key) == (
        200,
        {"received": 1, "recorded": 1},
    )
    assert sendgrid_post(signed_client, batch + batch, signing_key)[1] == {
        "received": 2,
        "recorded": 0,
    }
    assert len(events(session)) == 1


def test_sendgrid_matches_by_outbox_id_and_a_bounce_is_terminal(
    client: FlaskClient, session: orm.Session
) -> None:
    row = _outbox(session, "receipt_email", "receipt:order:9", "other-id")
    batch = [
        sg_event("bounce", "b1", outbox_id=str(row.id), sg_message_id="x.y", reason="550"),
        sg_event("delivered", "b2", outbox_id=str(row.id), sg_message_id="x.y"),
    ]
    status, _ = sendgrid_post(client, batch, None)  # no key configured: accepted unsigned
    assert status == 200
    assert delivery_status(session, row) == "bounce"


def test_open_and_click_events_are_recorded_without_changing_the_status(
    client: FlaskClient, session: orm.Session, sent_email: OutboxMessage
) -> None:
    sendgrid_post(client, [sg_event("delivered", "d1"), sg_event("open", "o1")], None)
    assert delivery_status(session, sent_email) == "delivered"
    assert len(events(session)) == 2


@pytest.mark.parametrize("raw", ["not json", '{"event": "delivered"}', "[1, 2]"])
def test_a_malformed_sendgrid_body_is_a_json_400(client: FlaskClient, raw: str) -> None:
    status, body = sendgrid_post(client, None, None, raw=raw)
    assert status == 400
    assert isinstance(body, dict) and body["error"]


def test_a_body_that_is_not_utf8_is_a_json_400(client: FlaskClient) -> None:
    response = client.post(
        "/sendgrid/events", data=b"[\xff]", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "UTF-8" in response.json["error"]  # type: ignore[index]


def test_a_modern_message_id_matches_its_sg_message_id(
    client: FlaskClient, session: orm.Session
) -> None:
    row = _outbox(session, "receipt_email", "receipt:order:3", "W1l3dTbqRVK4M1dJ6KnXDg")
    sg_message_id = "W1l3dTbqRVK4M1dJ6KnXDg.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"
    sendgrid_post(client, [sg_event("delivered", "m1", sg_message_id=sg_message_id)], None)
    assert delivery_status(session, row) == "delivered"
    (event,) = events(session)
    assert (event.outbox_id, event.provider_message_id) == (row.id, "W1l3dTbqRVK4M1dJ6KnXDg")


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 50_000 + "]" * 50_000,  # deeper than Python's JSON parser recurses
        '[{"event": "delivered", "sg_event_id": "n1", "x": NaN}]',
        '[{"event": "delivered", "sg_event_id": "n2", "x": -Infinity}]',
        '[{"event": "delivered", "sg_event_id": "n3", "x": 1e999}]',
        '[{"event": "delivered", "sg_event_id": "n4", "x": "\\ud800"}]',
    ],
)
def test_json_our_database_cannot_store_is_a_json_400(client: FlaskClient, raw: str) -> None:
    status, body = sendgrid_post(client, None, None, raw=raw)
    assert status == 400
    assert isinstance(body, dict) and body["error"]


@pytest.mark.parametrize(
    "odd",
    [
        {"outbox_id": 10**30},
        {"outbox_id": "99999999999999999"},
        {"order_id": 2**31},
        {"outbox_id": -1, "order_id": True},
        {"sg_message_id": 123, "status": {"a": [1]}},
        {"sg_message_id": "x\u0000y"},
        {"sg_message_id": "." * 5000},
        {"event": "bounce", "status": ["5.0.0"], "type": None},
        {"event": "deli\u0000vered"},
        {"sg_event_id": "e\u0000"},
        {"sg_event_id": "e" * 5000, "event": "x" * 500},
        {"nested": [[[[{"deep": "\u0000"}]]]]},
    ],
)
def test_odd_values_inside_events_never_break_the_webhook(
    client: FlaskClient, session: orm.Session, sent_email: OutboxMessage, odd: dict[str, object]
) -> None:
    event = {**sg_event("delivered", "odd-1"), **odd}
    status, body = sendgrid_post(client, [event], None)
    assert status == 200 and isinstance(body, dict) and body["received"] == 1
    assert all(e.event.isprintable() and len(e.event_key) <= 200 for e in events(session))


def test_a_sendgrid_body_over_the_limit_is_a_413(client: FlaskClient) -> None:
    batch = [sg_event("open", f"o{n}") for n in range(20_000)]
    status, body = sendgrid_post(client, batch, None)
    assert status == 413
    assert isinstance(body, dict) and body["error"]


@pytest.mark.parametrize(
    "form",
    [
        {"MessageSid": "SM\u0000x", "MessageStatus": "delivered"},
        {"MessageSid": SID, "MessageStatus": "deli\u0000vered"},
        {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "6\u00003" * 40},
        {"MessageSid": "S" * 500, "MessageStatus": "x" * 500},
    ],
)
def test_odd_twilio_callbacks_are_refused_or_recorded_never_a_500(
    signed_client: FlaskClient, session: orm.Session, sent_text: OutboxMessage, form: dict[str, str]
) -> None:
    extra = {k: v for k, v in form.items() if k not in ("MessageSid", "MessageStatus")}
    status = twilio_callback(signed_client, form["MessageStatus"], sid=form["MessageSid"], **extra)
    assert status in (204, 400)
    session.rollback()
    assert all(e.error_code is None or e.error_code.isprintable() for e in events(session))
