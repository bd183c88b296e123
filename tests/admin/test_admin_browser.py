"""A baker in a real browser: log in, find an order, mark it ready, see the message queued."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import orm

from cloudcity.db.models import OutboxMessage
from tests.support.admin import PASSWORD, USERNAME, place
from tests.support.browser import LiveServer, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def csrf_on(app: Flask, _csrf_off: None) -> None:
    """The browser posts real forms: enforce CSRF as in production."""
    app.config["WTF_CSRF_ENABLED"] = True


def test_baker_marks_an_order_ready(
    csrf_on: None, live_server: LiveServer, page: Page, session: orm.Session, admin_user: str
) -> None:
    place(session, name="Zoe Quinn", phone="+14155550177", email="zoe@example.com")
    wanted = place(session, name="Mia Wong", phone="whatsapp:+14155550188", email="mia@example.com")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/orders")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Orders")
    page.fill("input[name=q]", "mia")
    page.click("text=Find")
    rows = page.locator("table.orders tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Mia Wong")
    screenshot(page, "admin-orders")
    rows.first.locator("text=Mark ready").click()
    expect(page.locator(".flash-success")).to_contain_text("marked ready")
    expect(page.locator(f"#order-{wanted.id} .status")).to_have_text("Ready")
    [message] = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "ready_message")
    ).all()
    assert message.order_id == wanted.id
    assert message.recipient == "whatsapp:+14155550188"
