"""SendGridEmailSender against Prism (SendGrid's own contract) and a scripted server."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from cloudcity.providers import DeliveryError
from cloudcity.providers.sendgrid_sender import SendGridEmailSender
from tests.support.documents import PDF, receipt_email
from tests.support.http_stub import Answer, ScriptedServer
from tests.support.prism import PrismMock

MESSAGE_ID = "W1l3dTbqRVK4M1dJ6KnXDg"


def sender(host: str, *, timeout: float = 5.0) -> SendGridEmailSender:
    return SendGridEmailSender(
        api_key="SG.test-key",
        from_email="orders@cloudcity.example",
        from_name="Cloud City Cake Company",
        host=host,
        timeout=timeout,
    )


@pytest.mark.prism
def test_prism_accepts_html_text_and_a_pdf(sendgrid_mock: PrismMock) -> None:
    # Prism's 202 carries no X-Message-Id: the email counts as sent under a generated id.
    assert sender(sendgrid_mock.url).send_email(receipt_email()).startswith("sendgrid-")


@pytest.mark.prism
def test_prism_refusal_of_a_malformed_address_is_permanent(sendgrid_mock: PrismMock) -> None:
    with pytest.raises(DeliveryError) as caught:
        sender(sendgrid_mock.url).send_email(receipt_email(to="not-an-address"))
    assert caught.value.permanent and caught.value.status == 400


def test_the_mail_has_both_bodies_the_pdf_and_the_tracking_args(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(202, b"", {"X-Message-Id": MESSAGE_ID}))
    assert sender(scripted.url).send_email(receipt_email()) == MESSAGE_ID
    request = scripted.received[-1]
    assert request.path == "/v3/mail/send"
    assert request.headers["Authorization"] == "Bearer SG.test-key"
    body = request.json()
    assert isinstance(body, dict)
    assert body["from"] == {"email": "orders@cloudcity.example", "name": "Cloud City Cake Company"}
    assert body["personalizations"][0]["to"] == [{"email": "ada@example.com"}]
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    (attachment,) = body["attachments"]
    assert attachment["filename"] == "cloud-city-invoice-7.pdf"
    assert attachment["type"] == "application/pdf"
    assert base64.b64decode(attachment["content"]) == PDF
    assert body["categories"] == ["receipt"]
    assert body["personalizations"][0]["custom_args"] == {"outbox_id": "12", "order_id": "7"}


def test_an_email_without_extras_sends_no_empty_lists(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(202, b"", {"X-Message-Id": MESSAGE_ID}))
    plain = dataclasses.replace(receipt_email(), attachments=(), categories=(), custom_args={})
    sender(scripted.url).send_email(plain)
    body = scripted.received[-1].json()
    assert isinstance(body, dict)
    assert not {"attachments", "categories", "custom_args"} & body.keys()
    assert "custom_args" not in body["personalizations"][0]


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_client_errors_are_permanent(scripted: ScriptedServer, status: int) -> None:
    scripted.answer(Answer(status, b'{"errors":[{"message":"The from address is not verified"}]}'))
    with pytest.raises(DeliveryError, match="not verified") as caught:
        sender(scripted.url).send_email(receipt_email())
    assert caught.value.permanent and caught.value.status == status


def test_rate_limit_is_temporary_and_honours_retry_after(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(429, b'{"errors":[]}', {"Retry-After": "30"}))
    with pytest.raises(DeliveryError) as caught:
        sender(scripted.url).send_email(receipt_email())
    assert not caught.value.permanent
    assert (caught.value.status, caught.value.retry_after) == (429, 30.0)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_temporary(scripted: ScriptedServer, status: int) -> None:
    scripted.answer(Answer(status, b"{}"))
    with pytest.raises(DeliveryError) as caught:
        sender(scripted.url).send_email(receipt_email())
    assert not caught.value.permanent and caught.value.status == status


def test_a_slow_answer_times_out_as_temporary(scripted: ScriptedServer) -> None:
    scripted.answer(Answer(202, b"", {"X-Message-Id": MESSAGE_ID}, delay=2.0))
    with pytest.raises(DeliveryError, match="could not reach SendGrid") as caught:
        sender(scripted.url, timeout=0.3).send_email(receipt_email())
    assert not caught.value.permanent


def test_a_refused_connection_is_temporary(closed_port_url: str) -> None:
    with pytest.raises(DeliveryError, match="could not reach SendGrid") as caught:
        sender(closed_port_url).send_email(receipt_email())
    assert not caught.value.permanent
