"""Every admin page on a 390 px phone, a 768 px tablet and a 1280 px desktop: no sideways
scrolling, and on the phone every action (a button, or a link that acts like one) is at least
44 px tall.

Screenshots of each page at each width are kept as test artifacts in
test-artifacts/screenshots/<page>-<width>.png (the folder is git-ignored and rewritten by each
run; CI can upload it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import orm

from tests.support.admin import PASSWORD, USERNAME, chat_with, every_page, place
from tests.support.browser import LiveServer, screenshot

pytestmark = pytest.mark.browser

PHONE, TABLET, DESKTOP = 390, 768, 1280
WIDTHS = (PHONE, TABLET, DESKTOP)
MIN_TAP = 44
# What a baker taps to do something: buttons, and the links that act like them (navigation,
# tabs, pagers, the filters' Clear and Download CSV, the actions beside an order, and the
# links in a list's rows, such as an order's number, that open what the row shows).
ACTIONS = (
    "button, input[type=submit], input[type=button], .top nav a, nav.tabs a, nav.pager a, "
    ".actions a, .filters a, a.button, table.stack a"
)
TOO_SMALL = """([selector, least]) => [...document.querySelectorAll(selector)]
    .filter((element) => element.getClientRects().length > 0)
    .map((element) => [element.outerHTML.slice(0, 120), element.getBoundingClientRect().height])
    .filter(([, height]) => height < least)"""
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def csrf_on(app: Flask, _csrf_off: None) -> None:
    """The browser posts real forms: enforce CSRF as in production."""
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def baker(
    csrf_on: None, live_server: LiveServer, browser: Browser, admin_user: str
) -> Iterator[Page]:
    """A page logged in as the baker (the context's cookies carry the session)."""
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/**")
    try:
        yield page
    finally:
        context.close()


def check(page: Page, name: str, width: int) -> list[str]:
    """Screenshot the page as shown and list what is wrong with it at this width."""
    page.set_viewport_size({"width": width, "height": 844 if width == PHONE else 900})
    screenshot(page, f"screenshots/{name}-{width}")
    problems = []
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        problems.append(f"{name} at {width}px is {scroll_width}px wide")
    if width == PHONE:
        for html, height in page.evaluate(TOO_SMALL, [ACTIONS, MIN_TAP]):
            problems.append(f"{name} at {width}px: {height:.0f}px tall: {html}")
    return problems


def test_every_admin_page_fits_a_phone_a_tablet_and_a_desktop(
    baker: Page, live_server: LiveServer, session: orm.Session
) -> None:
    order = place(
        session,
        name="Maximiliana Bartholomew-Featherstonehaugh",
        email="maximiliana.bartholomew-featherstonehaugh@a-rather-long-domain.example.com",
    )
    place(session, name="Zoe Quinn", phone="+14155550177", email="zoe@example.com")
    problems: list[str] = []
    # A refused inline script or style, or a missing asset, shows as a console error.
    baker.on("console", lambda message: message.type == "error" and problems.append(message.text))
    for name, path in every_page(order.id, chat_with(session, order)).items():
        baker.goto(live_server.url + path)
        for width in WIDTHS:
            problems += check(baker, name, width)
    assert not problems, "\n".join(problems)


def test_the_login_page_fits_every_width(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/admin/login")
    problems = [problem for width in WIDTHS for problem in check(page, "login", width)]
    assert not problems, "\n".join(problems)


def test_the_feed_link_selects_itself_when_tapped(baker: Page, live_server: LiveServer) -> None:
    # Bound by static/admin/admin.js: the CSP refuses inline handlers such as onclick="...".
    baker.set_viewport_size({"width": PHONE, "height": 844})
    baker.goto(f"{live_server.url}/admin/calendar")
    field = baker.locator("input[data-select-on-click]")
    field.click()
    selected = field.evaluate("(input) => [input.selectionStart, input.selectionEnd]")
    assert selected == [0, len(field.input_value())]
