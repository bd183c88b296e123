"""The new admin pages on a 390 px phone: nothing wider than the screen, so no sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import orm

from tests.admin.calendar.conftest import FRIDAY_11AM, THURSDAY_10AM, TUESDAY_10AM
from tests.support.admin import PASSWORD, USERNAME, place
from tests.support.browser import LiveServer, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_schedule_calendar_order_and_lists_fit_a_phone(
    live_server: LiveServer, page: Page, session: orm.Session, admin_user: str
) -> None:
    order = place(
        session,
        name="Maximiliana Wolkenstein-Rodríguez",
        email="maximiliana.wolkenstein.rodriguez@example.com",
        pickup_at=THURSDAY_10AM,
        now=TUESDAY_10AM,
    )
    place(session, phone="+14155550201", pickup_at=FRIDAY_11AM, now=TUESDAY_10AM)
    place(session, phone="+14155550202", now=TUESDAY_10AM)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    for path, name in [
        ("/admin/schedule?day=2026-12-03", "phone-schedule"),
        ("/admin/schedule?day=2026-12-01&week=1", "phone-schedule-week"),
        ("/admin/calendar", "phone-calendar"),
        (f"/admin/orders/{order.id}", "phone-order"),
        ("/admin/orders", "phone-orders"),
        ("/admin/", "phone-dashboard"),
    ]:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, name)
        wide = page.evaluate(  # the culprits, to say what to fix
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > 391).slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert width <= PHONE["width"], f"{path} is {width} px wide: {wide}"
