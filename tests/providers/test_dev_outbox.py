"""The dev inbox at /dev/outbox: lists local emails and texts, never serves anything else."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.providers import TextMessage, build_providers
from cloudcity.providers.local import outbox_dirs
from cloudcity.web import create_app
from tests.support.documents import PDF, receipt_email


@pytest.fixture
def email_name(settings: Settings) -> str:
    build_providers(settings).email.send_email(receipt_email())
    (path,) = outbox_dirs(settings.var_dir)[0].iterdir()
    return path.name


def test_the_inbox_lists_emails_and_messages_newest_first(
    client: FlaskClient, settings: Settings
) -> None:
    providers = build_providers(settings)
    providers.email.send_email(receipt_email())
    providers.messages.send_message(TextMessage(to="whatsapp:+15551234567", body="First text"))
    providers.messages.send_message(TextMessage(to="+15551234567", body="Second text"))
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your Cloud City order #7" in html and "cloud-city-invoice-7.pdf" in html
    assert html.index("Second text") < html.index("First text")
    assert "script-src" not in page.headers["Content-Security-Policy"]


def test_an_empty_inbox_says_so(client: FlaskClient) -> None:
    html = client.get("/dev/outbox").get_data(as_text=True)
    assert "No emails yet." in html and "No messages yet." in html


def test_an_email_page_frames_its_html_in_a_sandbox(client: FlaskClient, email_name: str) -> None:
    page = client.get(f"/dev/outbox/emails/{email_name}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<iframe sandbox" in html and "Order #7" in html
    body = client.get(f"/dev/outbox/emails/{email_name}/html")
    assert body.mimetype == "text/html" and "<b>#7</b>" in body.get_data(as_text=True)
    assert "sandbox" in body.headers["Content-Security-Policy"]
    assert "default-src 'none'" in body.headers["Content-Security-Policy"]


def test_the_pdf_attachment_is_served(client: FlaskClient, email_name: str) -> None:
    response = client.get(f"/dev/outbox/emails/{email_name}/cloud-city-invoice-7.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data == PDF


@pytest.mark.parametrize(
    "path",
    [
        "/dev/outbox/emails/..%2F..%2Fcloudcity.db",
        "/dev/outbox/emails/../../etc/passwd",
        "/dev/outbox/emails/20250101T000000000000Z-00000000000000000000000000000000.eml",
        "/dev/outbox/emails/{name}/..%2F{name}",
        "/dev/outbox/emails/{name}/missing.pdf",
        "/dev/outbox/emails/{name}/.hidden.pdf",
    ],
)
def test_anything_not_listed_is_404(client: FlaskClient, email_name: str, path: str) -> None:
    assert client.get(path.format(name=email_name)).status_code == 404


def test_a_temp_file_is_not_listed_or_served(client: FlaskClient, settings: Settings) -> None:
    folder = outbox_dirs(settings.var_dir)[0]
    folder.mkdir(parents=True)
    (folder / ".tmp-abc").write_bytes(b"Subject: half written\n\n")
    assert "half written" not in client.get("/dev/outbox").get_data(as_text=True)
    assert client.get("/dev/outbox/emails/.tmp-abc").status_code == 404


def test_production_has_no_inbox(settings: Settings, database: Database, email_name: str) -> None:
    production = Settings.model_validate(
        {
            **settings.model_dump(),
            "env": "production",
            "secret_key": "a-real-secret-key-for-this-test-run",
            "api_user": "baker",
            "api_password": "a-real-password-for-this-test",
            "public_url": "https://cakes.example",
        }
    )
    client = create_app(production, database=database).test_client()
    assert client.get("/dev/outbox").status_code == 404
    assert client.get(f"/dev/outbox/emails/{email_name}").status_code == 404
