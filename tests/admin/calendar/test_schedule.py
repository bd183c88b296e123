"""The production schedule: orders by pickup day in the shop's zone, grouped by slot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order
from tests.admin.calendar.conftest import (
    FRIDAY_10AM,
    THURSDAY_10AM,
    THURSDAY_1130,
    TUESDAY_10AM,
)
from tests.support.admin import AuthActions, place
from tests.support.clock import FakeClock


def section(page: str, day: str) -> str:
    """The part of the page about one day."""
    start = page.index(f'id="day-{day}"')
    end = page.find('id="day-', start + 1)
    return page[start : end if end > 0 else page.index('id="arrange"')]


@pytest.fixture
def week(session: orm.Session, auth: AuthActions) -> dict[str, Order]:
    """Orders for Thursday (two slots) and Friday, one to arrange, one cancelled; logged in."""
    orders = {
        "ana": place(session, name="Ana Ruiz", pickup_at=THURSDAY_10AM, now=TUESDAY_10AM),
        "bo": place(
            session,
            name="Bo Chen",
            phone="+14155550201",
            size="Medium",
            flavour="Chocolate",
            pickup_at=THURSDAY_10AM,
            now=TUESDAY_10AM,
        ),
        "cy": place(
            session, name="Cy Ode", phone="+14155550202", pickup_at=THURSDAY_1130, now=TUESDAY_10AM
        ),
        "di": place(
            session, name="Di Fry", phone="+14155550203", pickup_at=FRIDAY_10AM, now=TUESDAY_10AM
        ),
        "ed": place(session, name="Ed Lamb", phone="+14155550204", now=TUESDAY_10AM),
    }
    gone = place(
        session, name="Gone Away", phone="+14155550205", pickup_at=THURSDAY_1130, now=TUESDAY_10AM
    )
    auth.login()
    auth.post(f"/admin/orders/{gone.id}/cancel", data={"reason": "changed plans"})
    return orders


def test_a_day_lists_its_orders_by_slot_with_capacity_used(
    client: FlaskClient, week: dict[str, Order]
) -> None:
    page = client.get("/admin/schedule?day=2026-12-03").get_data(as_text=True)
    thursday = section(page, "2026-12-03")
    assert "Thursday 3 Dec 2026" in thursday
    assert "3 of 20" in thursday  # the cancelled order is left out
    ten, half_past_eleven = thursday.index("10:00\u201310:30"), thursday.index("11:30\u201312:00")
    assert ten < thursday.index(f'id="order-{week["ana"].id}"') < half_past_eleven
    assert ten < thursday.index(f'id="order-{week["bo"].id}"') < half_past_eleven
    assert half_past_eleven < thursday.index(f'id="order-{week["cy"].id}"')
    for words in ("Medium", "Chocolate", "Buttercream", "Sprinkles", "Bo Chen", "Placed"):
        assert words in thursday
    assert "Gone Away" not in page and f'id="order-{week["di"].id}"' not in page
    assert f'id="arrange-{week["ed"].id}"' in page  # no pickup time: listed apart
    assert "@example.com" not in thursday


def test_today_tomorrow_and_the_week(client: FlaskClient, week: dict[str, Order]) -> None:
    today = client.get("/admin/schedule").get_data(as_text=True)
    assert "Tuesday 1 Dec 2026" in today and "0 of 20" in today and "No pickups." in today
    assert 'href="/admin/schedule?day=2026-12-02"' in today  # tomorrow
    page = client.get("/admin/schedule?day=2026-12-01&week=1").get_data(as_text=True)
    assert page.count('class="schedule-day"') == 7
    assert "3 of 20" in section(page, "2026-12-03")
    assert "1 of 20" in section(page, "2026-12-04")
    assert "closed" in section(page, "2026-12-07")  # a Monday
    bad = client.get("/admin/schedule?day=someday").get_data(as_text=True)
    assert "is not a date like 2026-12-24: showing today" in bad


def test_the_page_prints_one_day_a_page_without_navigation(
    client: FlaskClient, week: dict[str, Order]
) -> None:
    response = client.get("/static/admin/admin.css")
    css = response.get_data(as_text=True)
    response.close()
    printing = css[css.index("@media print") :]
    assert ".top" in printing and "display: none" in printing
    assert "break-after: page" in printing
    page = client.get("/admin/schedule?day=2026-12-01&week=1").get_data(as_text=True)
    assert '<h1 class="no-print">' in page and 'class="filters card no-print"' in page


def test_the_day_the_clocks_spring_forward_in_los_angeles(
    client: FlaskClient, auth: AuthActions, session: orm.Session, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # Sunday 1 Mar, 10:00 PST
    saturday_late = datetime(2026, 3, 8, 0, 30, tzinfo=UTC)  # Sat 7 Mar 16:30 PST
    sunday_ten = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)  # Sun 8 Mar 10:00 PDT
    sunday_last = datetime(2026, 3, 8, 20, 30, tzinfo=UTC)  # Sun 8 Mar 13:30 PDT
    saturday = place(session, name="Sat Urday", pickup_at=saturday_late, now=clock.now)
    ten = place(
        session, name="Sun Early", phone="+14155550210", pickup_at=sunday_ten, now=clock.now
    )
    last = place(
        session, name="Sun Late", phone="+14155550211", pickup_at=sunday_last, now=clock.now
    )
    auth.login()

    page = client.get("/admin/schedule?day=2026-03-08").get_data(as_text=True)
    sunday = section(page, "2026-03-08")
    assert "2 of 20" in sunday
    assert "10:00\u201310:30" in sunday and "13:30\u201314:00" in sunday
    assert f'id="order-{ten.id}"' in sunday and f'id="order-{last.id}"' in sunday
    assert f'id="order-{saturday.id}"' not in page  # 00:30 UTC on the 8th is the 7th here

    page = client.get("/admin/schedule?day=2026-03-07").get_data(as_text=True)
    assert "16:30\u201317:00" in section(page, "2026-03-07")
    assert f'id="order-{saturday.id}"' in page
    order_page = client.get(f"/admin/orders/{ten.id}").get_data(as_text=True)
    assert "Sun 8 Mar 2026, 10:00" in order_page
