"""Local file transports and the choice between them and the real providers."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser, Parser
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from cloudcity.config import Settings
from cloudcity.providers import (
    LocalEmailSender,
    LocalMessageSender,
    TextMessage,
    build_providers,
)
from cloudcity.providers.local import NAME, outbox_dirs
from cloudcity.providers.local_inbox import email_summaries
from cloudcity.providers.sendgrid_sender import SendGridEmailSender
from cloudcity.providers.twilio_sender import TwilioMessageSender
from tests.support.documents import PDF, receipt_email
from tests.support.http_stub import Answer, ScriptedServer
from tests.support.prism import TEST_ACCOUNT_SID


def test_local_email_is_a_parseable_eml_with_both_bodies_and_the_pdf(settings: Settings) -> None:
    sender = build_providers(settings).email
    local_id = sender.send_email(receipt_email())
    emails, _ = outbox_dirs(settings.var_dir)
    (path,) = emails.iterdir()
    assert NAME.match(path.name) and local_id == f"local-{path.name[-36:-4]}"
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert message["To"] == "ada@example.com"
    assert message["From"] == f"{settings.shop_name} <{settings.shop_email}>"
    assert message["Subject"] == "Your Cloud City order #7"
    assert "Order <b>#7</b>" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Order #7" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "cloud-city-invoice-7.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == PDF


def test_local_messages_are_json_files_with_sortable_unique_names(tmp_path: Path) -> None:
    sender = LocalMessageSender(folder=tmp_path)
    first = sender.send_message(TextMessage(to="whatsapp:+15551234567", body="Ready!"))
    second = sender.send_message(
        TextMessage(to="+15551234567", content_sid="HX" + "0" * 32, content_variables={"1": "A"})
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and first != second and all(NAME.match(n) for n in names)
    records = [json.loads((tmp_path / n).read_text()) for n in names]
    assert [r["id"] for r in records] == [first, second]
    assert records[0]["body"] == "Ready!" and records[0]["to"] == "whatsapp:+15551234567"
    assert records[1]["content_variables"] == {"1": "A"} and records[1]["body"] is None


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    sender = LocalEmailSender(folder=tmp_path / "emails", from_email="a@b.example", from_name="A")
    for _ in range(3):
        sender.send_email(receipt_email())
    names = [p.name for p in (tmp_path / "emails").iterdir()]
    assert len(names) == 3 and all(NAME.match(name) for name in names)


def test_without_keys_the_local_transports_are_chosen(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="cloudcity.providers"):
        providers = build_providers(settings)
    assert isinstance(providers.email, LocalEmailSender)
    assert isinstance(providers.messages, LocalMessageSender)
    assert "SENDGRID_API_KEY is not set" in caplog.text


def test_with_keys_the_real_adapters_are_chosen(settings: Settings) -> None:
    configured = settings.model_copy(
        update={
            "twilio_account_sid": TEST_ACCOUNT_SID,
            "twilio_auth_token": "token",
            "twilio_whatsapp_from": "+14155238886",
            "sendgrid_api_key": "SG.key",
        }
    )
    providers = build_providers(Settings.model_validate(configured.model_dump()))
    assert isinstance(providers.email, SendGridEmailSender)
    assert isinstance(providers.messages, TwilioMessageSender)


def test_twilio_without_a_sender_number_stays_local(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    configured = Settings.model_validate(
        {**settings.model_dump(), "twilio_account_sid": TEST_ACCOUNT_SID, "twilio_auth_token": "t"}
    )
    providers = build_providers(configured)
    assert isinstance(providers.messages, LocalMessageSender)
    assert "only partly configured" in caplog.text


def test_an_internationalised_address_is_a_valid_to_header(settings: Settings) -> None:
    email = receipt_email()
    sender = build_providers(settings).email
    sender.send_email(type(email)(**{**email.__dict__, "to": "josé@exämple.com"}))
    emails, _ = outbox_dirs(settings.var_dir)
    (path,) = emails.iterdir()
    raw = path.read_bytes()
    assert "To: josé@exämple.com".encode() in raw
    message = Parser(policy=policy.default).parsestr(raw.decode())
    assert message["To"].addresses[0].addr_spec == "josé@exämple.com"
    (shown,) = email_summaries(emails)
    assert shown.to == "josé@exämple.com"


def test_local_transports_find_what_they_wrote_for_an_outbox_message(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    texts = LocalMessageSender(folder=tmp_path / "messages")
    written = texts.send_message(TextMessage(to="+15551234567", body="Ready!", outbox_id=7))
    assert (
        texts.find_sent(TextMessage(to="+15551234567", body="Ready!", outbox_id=7), since=before)
        == written
    )
    assert (
        texts.find_sent(TextMessage(to="+15551234567", body="Ready!", outbox_id=8), since=before)
        is None
    )
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert (
        texts.find_sent(TextMessage(to="+15551234567", body="Ready!", outbox_id=7), since=later)
        is None
    )

    emails = LocalEmailSender(folder=tmp_path / "emails", from_email="a@b.example", from_name="A")
    email = replace(receipt_email(), custom_args={"order_id": "7", "outbox_id": "9"})
    sent = emails.send_email(email)
    assert emails.find_sent_email(email, since=before) == sent
    other = replace(email, custom_args={"outbox_id": "10"})
    assert emails.find_sent_email(other, since=before) is None


def test_the_local_text_transport_calls_the_status_callback_as_twilio_does(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    scripted.answer(Answer(204, b""))
    sender = LocalMessageSender(folder=tmp_path, status_callback=f"{scripted.url}/twilio/status")
    local_id = sender.send_message(TextMessage(to="+15551234567", body="Ready!", outbox_id=7))
    (request,) = scripted.received
    assert request.path == "/twilio/status?outbox_id=7"
    form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
    assert form == {"MessageSid": local_id, "MessageStatus": "sent", "To": "+15551234567"}


def test_a_development_app_with_a_public_url_gets_local_status_callbacks(
    settings: Settings,
) -> None:
    configured = settings.model_copy(update={"public_url": "http://127.0.0.1:8000/"})
    messages = build_providers(configured).messages
    assert isinstance(messages, LocalMessageSender)
    assert messages.status_callback == "http://127.0.0.1:8000/twilio/status"
    assert build_providers(settings).messages.status_callback is None  # type: ignore[attr-defined]
