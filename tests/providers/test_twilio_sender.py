"""TwilioMessageSender against Prism (Twilio's own contract) and a scripted server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from cloudcity.providers import DeliveryError, TextMessage
from cloudcity.providers.twilio_sender import TwilioMessageSender
from tests.support.http_stub import Answer, ScriptedServer
from tests.support.prism import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_CONTENT_SID, PrismMock

WHATSAPP_FROM = "+14155238886"
SMS_FROM = "+15005550006"
SID = "SM" + "a" * 32


def sender(base_url: str, *, timeout: float = 5.0, **options: str | None) -> TwilioMessageSender:
    settings: dict[str, str | None] = {
        "whatsapp_from": WHATSAPP_FROM,
        "sms_from": SMS_FROM,
        "public_url": "https://cakes.example/",
        **options,
    }
    return TwilioMessageSender(
        account_sid=TEST_ACCOUNT_SID,
        auth_token=TEST_AUTH_TOKEN,
        base_url=base_url,
        timeout=timeout,
        **settings,  # type: ignore[arg-type]
    )


def sent_form(server: ScriptedServer) -> dict[str, str]:
    form = parse_qs(server.received[-1].body.decode())
    return {key: values[0] for key, values in form.items()}


@pytest.mark.prism
def test_prism_accepts_a_whatsapp_text(twilio_mock: PrismMock) -> None:
    sid = sender(twilio_mock.url).send_message(
        TextMessage(to="whatsapp:+15551234567", body="Your cake is ready!")
    )
    assert sid.startswith("SM")


@pytest.mark.prism
def test_prism_accepts_a_content_template_by_sms(twilio_mock: PrismMock) -> None:
    message = TextMessage(
        to="+15551234567", content_sid=TEST_CONTENT_SID, content_variables={"1": "Ada"}
    )
    assert sender(twilio_mock.url).send_message(message).startswith("SM")


@pytest.mark.prism
def test_prism_refusal_of_a_bad_content_sid_is_permanent(twilio_mock: PrismMock) -> None:
    message = TextMessage(to="whatsapp:+15551234567", content_sid="HXnot-a-sid")
    with pytest.raises(DeliveryError) as caught:
        sender(twilio_mock.url).send_message(message)
    assert caught.value.permanent and caught.value.status == 422


def test_whatsapp_goes_from_the_whatsapp_sender_with_a_status_callback(
    scripted: ScriptedServer,
) -> None:
    scripted.answer(Answer(201, json.dumps({"sid": SID}).encode()))
    sid = sender(scripted.url).send_message(TextMessage(to="whatsapp:+15551234567", body="Hi"))
    assert sid == SID
    assert scripted.received[-1].path == f"/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/Messages.json"
    assert sent_form(scripted) == {
        "To": "whatsapp:+15551234567",
        "From": f"whatsapp:{WHATSAPP_FROM}",
        "Body": "Hi",
        "StatusCallback": "https://cakes.example/twilio/status",
    }


def test_sms_template_goes_from_the_sms_sender_with_json_variables(
    scripted: ScriptedServer,
) -> None:
    scripted.answer(Answer(201, json.dumps({"sid": SID}).encode()))
    message = TextMessage(
        to="+15551234567", content_sid=TEST_CONTENT_SID, content_variables={"1": "Ada"}
    )
    sender(scripted.url, public_url=None).send_message(message)
    form = sent_form(scripted)
    assert form["From"] == SMS_FROM and form["ContentSid"] == TEST_CONTENT_SID
    assert json.loads(form["ContentVariables"]) == {"1": "Ada"}
    assert "Body" not in form and "StatusCallback" not in form


def test_a_missing_sender_is_a_permanent_error_naming_the_setting(
    scripted: ScriptedServer,
) -> None:
    with pytest.raises(DeliveryError, match="CLOUDCITY_TWILIO_SMS_FROM") as caught:
        sender(scripted.url, sms_from=None).send_message(TextMessage(to="+1555", body="x"))
    assert caught.value.permanent and scripted.received == []


@pytest.mark.parametrize(
    ("code", "status"), [(21610, 400), (21211, 400), (20003, 401), (20404, 404)]
)
def test_client_errors_are_permanent(scripted: ScriptedServer, code: int, status: int) -> None:
    body = {"code": code, "message": "refused", "status": status}
    scripted.answer(Answer(status, json.dumps(body).encode()))
    with pytest.raises(DeliveryError, match=str(code)) as caught:
        sender(scripted.url).send_message(TextMessage(to="+15551234567", body="Hi"))
    assert caught.value.permanent and caught.value.status == status


def test_rate_limit_is_temporary_and_honours_retry_after(scripted: ScriptedServer) -> None:
    body = {"code": 20429, "message": "Too Many Requests", "status": 429}
    scripted.answer(Answer(429, json.dumps(body).encode(), {"Retry-After": "12"}))
    with pytest.raises(DeliveryError) as caught:
        sender(scripted.url).send_message(TextMessage(to="+15551234567", body="Hi"))
    assert not caught.value.permanent
    assert (caught.value.status, caught.value.retry_after) == (429, 12.0)


def test_server_errors_are_temporary(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(503, b"<html>upstream down</html>"))
    with pytest.raises(DeliveryError) as caught:
        sender(scripted.url).send_message(TextMessage(to="+15551234567", body="Hi"))
    assert not caught.value.permanent and caught.value.status == 503


def test_a_slow_answer_times_out_as_temporary(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(201, json.dumps({"sid": SID}).encode(), delay=2.0))
    with pytest.raises(DeliveryError, match="could not reach Twilio") as caught:
        sender(scripted.url, timeout=0.3).send_message(TextMessage(to="+15551234567", body="Hi"))
    assert not caught.value.permanent and caught.value.status is None


def test_a_refused_connection_is_temporary(closed_port_url: str) -> None:
    with pytest.raises(DeliveryError, match="could not reach Twilio") as caught:
        sender(closed_port_url).send_message(TextMessage(to="+15551234567", body="Hi"))
    assert not caught.value.permanent


def test_the_status_callback_names_the_outbox_message(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(201, json.dumps({"sid": SID}).encode()))
    sender(scripted.url).send_message(TextMessage(to="+15551234567", body="Hi", outbox_id=42))
    assert (
        sent_form(scripted)["StatusCallback"] == "https://cakes.example/twilio/status?outbox_id=42"
    )


def _listed(*messages: dict[str, Any]) -> Answer:
    page = {"messages": list(messages), "page": 0, "page_size": 20, "next_page_uri": None}
    return Answer(200, json.dumps(page).encode())


def _message(
    body: str, *, sid: str = SID, created: datetime, direction: str = "outbound-api"
) -> dict[str, Any]:
    return {
        "sid": sid,
        "body": body,
        "direction": direction,
        "date_created": format_datetime(created, usegmt=True),
        "status": "sent",
    }


def test_a_send_in_doubt_is_found_in_the_message_list_by_recipient_time_and_body(
    scripted: ScriptedServer,
) -> None:
    since = datetime.now(UTC)
    scripted.answer(
        _listed(
            _message("Hi", sid="SM" + "1" * 32, created=since, direction="outbound-reply"),
            _message("Other", sid="SM" + "2" * 32, created=since),
            _message("Hi", sid="SM" + "3" * 32, created=since - timedelta(hours=1)),
            _message("Hi", created=since + timedelta(seconds=1)),
        )
    )
    found = sender(scripted.url).find_sent(
        TextMessage(to="+15551234567", body="Hi", outbox_id=42), since=since
    )
    assert found == SID
    request = scripted.received[-1]
    assert request.method == "GET"
    query = parse_qs(request.path.split("?", 1)[1])
    assert (query["To"], query["From"]) == (["+15551234567"], [SMS_FROM])


def test_a_send_in_doubt_missing_from_the_list_is_not_found(scripted: ScriptedServer) -> None:
    scripted.answer(_listed())
    message = TextMessage(to="whatsapp:+15551234567", body="Hi", outbox_id=42)
    assert sender(scripted.url).find_sent(message, since=datetime.now(UTC)) is None


def test_a_failed_lookup_is_a_temporary_error(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(503, b"down"))
    with pytest.raises(DeliveryError) as caught:
        sender(scripted.url).find_sent(
            TextMessage(to="+15551234567", body="Hi"), since=datetime.now(UTC)
        )
    assert not caught.value.permanent


@pytest.mark.prism
def test_prism_accepts_the_message_list_lookup(twilio_mock: PrismMock) -> None:
    message = TextMessage(to="whatsapp:+15551234567", body="Your cake is ready!", outbox_id=7)
    # Prism answers the spec's example messages, from 2008: none is this send.
    assert sender(twilio_mock.url).find_sent(message, since=datetime.now(UTC)) is None
