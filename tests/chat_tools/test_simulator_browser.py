"""The chat simulator in a real browser: type an order, see the order number."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import orm

from cloudcity.db.models import Order, ReferencePhoto
from tests.support.browser import LiveServer, screenshot
from tests.support.chat import WHOLE_ORDER
from tests.support.media_host import PNG

pytestmark = pytest.mark.browser
ANSWERS = WHOLE_ORDER


def type_message(page: Page, text: str) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_placing_an_order_by_typing(
    page: Page, live_server: LiveServer, session: orm.Session
) -> None:
    page.goto(f"{live_server.url}/dev/chat")
    expect(page).to_have_title(re.compile("Chat simulator"))
    type_message(page, "hi")
    expect(page.locator(".bubble.in").last).to_contain_text("What size would you like?")
    for answer in ANSWERS:
        replies = page.locator(".bubble.in").count()
        type_message(page, answer)
        expect(page.locator(".bubble.in")).to_have_count(replies + 1)
    expect(page.locator("#order")).to_be_visible()
    order = session.scalars(sa.select(Order)).one()
    expect(page.locator(".bubble.in").last).to_contain_text(f"Order #{order.id} is placed")
    expect(page.locator("#order")).to_have_text(f"Order #{order.id} placed")
    assert order.customer.phone == "+14155550100"
    screenshot(page, "chat-simulator-order")


def test_sms_and_start_over(page: Page, live_server: LiveServer, session: orm.Session) -> None:
    page.goto(f"{live_server.url}/dev/chat")
    page.get_by_label("Channel").select_option("sms")
    page.get_by_label("Your number").fill("+14155550177")
    type_message(page, "hi")
    type_message(page, "Small")
    expect(page.locator(".bubble.in").last).to_contain_text("Which flavour?")
    page.get_by_role("button", name="Start over").click()
    expect(page.locator(".bubble.out")).to_have_count(1)
    expect(page.locator(".bubble.in").last).to_contain_text("What size would you like?")
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_sending_a_picture_from_the_computer(
    page: Page, live_server: LiveServer, session: orm.Session
) -> None:
    page.goto(f"{live_server.url}/dev/chat")
    type_message(page, "hi")
    expect(page.locator(".bubble.in").last).to_contain_text("What size would you like?")
    picture: FilePayload = {"name": "cake.png", "mimeType": "image/png", "buffer": PNG}
    page.locator("#picture").set_input_files(picture)
    expect(page.locator(".bubble.out").last).to_contain_text("cake.png")
    expect(page.locator(".bubble.in").last).to_contain_text("Got your picture")
    expect(page.locator(".bubble.in").last).to_contain_text("What size would you like?")
    photo = session.scalars(sa.select(ReferencePhoto)).one()
    assert (photo.status, photo.content_type) == ("stored", "image/png")
