"""A baker in a real browser: log in, find an order, mark it ready, see the message queued."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from admin_support import PASSWORD, USERNAME, place
from flask import Flask
from sqlalchemy import orm
from werkzeug.serving import make_server

from cloudcity.db.models import OutboxMessage

CHROMIUM = "/usr/bin/chromium"
MISSING = "install Debian's chromium (apt-get install chromium)"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason="install Debian's chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app served on a free local port for the length of the test."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_baker_marks_an_order_ready(live_url: str, session: orm.Session, admin_user: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    place(session, name="Zoe Quinn", phone="+14155550177", email="zoe@example.com")
    wanted = place(session, name="Mia Wong", phone="whatsapp:+14155550188", email="mia@example.com")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(f"{live_url}/admin/orders")
            page.fill("input[name=username]", USERNAME)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("Orders")
            page.fill("input[name=q]", "mia")
            page.click("text=Find")
            rows = page.locator("table.orders tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("Mia Wong")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "admin-orders.png"), full_page=True)
            rows.first.locator("text=Mark ready").click()
            expect(page.locator(".flash-success")).to_contain_text("marked ready")
            expect(page.locator(f"#order-{wanted.id} .status")).to_have_text("Ready")
        finally:
            browser.close()
    [message] = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "ready_message")
    ).all()
    assert message.order_id == wanted.id
    assert message.recipient == "whatsapp:+14155550188"
