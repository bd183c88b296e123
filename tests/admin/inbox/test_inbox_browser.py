"""In real browsers: a customer in the chat simulator asks for a person, a baker sees the
inbox count rise without a reload, answers from the inbox, and the simulator shows the reply."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.admin import PASSWORD, USERNAME
from tests.support.browser import LiveServer, screenshot

pytestmark = pytest.mark.browser
CUSTOMER = "+14155550100"


def type_message(page: Page, text: str) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send").click()


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/orders")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Orders")


@pytest.mark.usefixtures("csrf", "admin_user")
def test_a_baker_answers_a_waiting_customer_from_the_inbox(
    browser: Browser, page: Page, live_server: LiveServer
) -> None:
    baker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        log_in(baker, live_server.url)
        expect(baker.locator("#inbox-count")).to_be_hidden()

        page.goto(f"{live_server.url}/dev/chat")
        type_message(page, "hi")
        expect(page.locator(".bubble.in").last).to_contain_text("What size would you like?")
        type_message(page, "can I talk to a person please?")
        expect(page.locator(".bubble.in").last).to_contain_text("someone at")

        # The count polls every 15 s: it rises on the page already open, without a reload.
        expect(baker.locator("#inbox-count")).to_have_text("1", timeout=25_000)
        baker.get_by_role("link", name=re.compile("^Inbox")).click()
        baker.locator("#waiting a").first.click()
        expect(baker.locator("#thread")).to_contain_text("can I talk to a person please?")
        baker.get_by_label("Message to the customer").fill("Hello! This is Sam.\nHow can I help?")
        baker.get_by_role("button", name="Send").click()
        expect(baker.locator(".flash-success")).to_contain_text("Sent")
        expect(baker.locator("#thread li.staff")).to_contain_text("How can I help?")
        screenshot(baker, "inbox-conversation")

        staff = page.locator(".bubble.staff")
        expect(staff).to_have_count(1, timeout=10_000)
        expect(staff).to_have_text("Hello! This is Sam.\nHow can I help?")
        expect(staff).to_have_attribute("data-author", USERNAME)
        screenshot(page, "chat-simulator-staff-reply")
    finally:
        baker.context.close()
