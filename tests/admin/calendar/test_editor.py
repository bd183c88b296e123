"""The calendar editor: save, problems next to their fields, holidays, conflicts."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.calendar.rules import Capacity, Interval
from cloudcity.db import Database
from tests.admin.calendar.conftest import (
    FRIDAY_11AM,
    THURSDAY_10AM,
    TUESDAY_10AM,
    stored_rules,
)
from tests.support.admin import AuthActions, place

TOKEN = 'name="csrf_token"'


def calendar_form(**changes: str) -> dict[str, str]:
    """The default calendar as the editor posts it, with some fields changed."""
    form = {
        "hours_0": "",
        **{f"hours_{n}": "09:00-17:00" for n in range(1, 6)},
        "hours_6": "10:00-14:00",
        "slot_minutes": "30",
        "lead_hours": "48",
        "lead_size_large": "72",
        "cutoff": "16:00",
        "horizon_days": "60",
        "closed_dates": "",
        "closed_yearly": "12-25",
        "per_day": "20",
        "per_slot": "3",
    }
    return form | changes


@pytest.fixture
def baker(auth: AuthActions, csrf: None) -> AuthActions:
    """Logged in, with CSRF tokens checked as in production."""
    auth.login()
    return auth


def test_the_editor_shows_the_rules_and_the_zone(client: FlaskClient, baker: AuthActions) -> None:
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "America/Los_Angeles" in page and "CLOUDCITY_TIME_ZONE" in page
    assert 'name="hours_1" value="09:00\u201317:00"' in page
    assert 'name="hours_0" value=""' in page  # Monday: closed
    assert 'name="lead_size_large" value="72"' in page
    assert 'name="country" value="US"' in page  # from the shop's phone number
    assert 'href="/admin/calendar"' in page and 'href="/admin/schedule"' in page


def test_saving_stores_the_new_calendar(
    client: FlaskClient, baker: AuthActions, database: Database
) -> None:
    form = calendar_form(
        hours_0="10:00-12:00, 13:00-15:00",
        slot_minutes="60",
        hours_6="",
        lead_hours="24",
        lead_size_large="",
        lead_size_medium="36",
        cutoff="",
        horizon_days="30",
        closed_dates="2026-12-24 (Christmas Eve)\n2026-12-31",
        closed_yearly="12-25\n01-01",
        per_day="12",
        per_slot="2",
    )
    response = baker.post("/admin/calendar", data=form)
    assert response.status_code == 303
    assert "Every booked order still fits" in client.get("/admin/calendar").get_data(as_text=True)
    rules = stored_rules(database)
    assert rules.hours[0] == (Interval(time(10), time(12)), Interval(time(13), time(15)))
    assert rules.hours[6] == ()
    assert rules.slot_length == timedelta(hours=1)
    assert rules.lead_time == timedelta(hours=24)
    assert dict(rules.lead_time_by_size) == {"medium": timedelta(hours=36)}
    assert rules.cutoff is None and rules.horizon_days == 30
    assert rules.closed_dates == {date(2026, 12, 24), date(2026, 12, 31)}
    assert {(y.month, y.day) for y in rules.closed_yearly} == {(12, 25), (1, 1)}
    assert rules.capacity == Capacity(per_day=12, per_slot=2)
    assert rules.tz.key == "America/Los_Angeles"


def test_problems_show_next_to_their_fields_and_nothing_is_saved(
    client: FlaskClient, baker: AuthActions, database: Database
) -> None:
    before = stored_rules(database)
    response = baker.post(
        "/admin/calendar",
        data=calendar_form(
            hours_2="17:00-09:00", slot_minutes="45", closed_yearly="02-30", per_day="lots"
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    after_field = page[page.index('name="per_day"') : page.index('name="per_slot"')]
    assert "Cakes a day: enter a whole number" in after_field
    assert stored_rules(database).capacity == before.capacity
    assert 'value="17:00-09:00"' in page  # what was typed stays in the form

    response = baker.post(
        "/admin/calendar",
        data=calendar_form(hours_2="17:00-09:00", slot_minutes="45", closed_yearly="02-30"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    wednesday = page[page.index('name="hours_2"') : page.index('name="hours_3"')]
    assert "Wednesday 17:00\u201309:00 ends before it starts" in wednesday
    tuesday = page[page.index('name="hours_1"') : page.index('name="hours_2"')]
    assert "is not a whole number of 45-minute slots" in tuesday
    yearly = page[page.index('name="closed_yearly"') : page.index('id="holidays"')]
    assert "Yearly closure 2/30 is not a real date" in yearly
    assert stored_rules(database).slot_length == timedelta(minutes=30)


def test_a_form_without_its_csrf_token_is_refused(
    client: FlaskClient, baker: AuthActions, database: Database
) -> None:
    response = client.post("/admin/calendar", data=calendar_form(per_day="1"))
    assert response.status_code == 400
    assert stored_rules(database).capacity.per_day == 20


def test_public_holidays_become_closed_dates_in_one_click(
    client: FlaskClient, baker: AuthActions, database: Database
) -> None:
    response = baker.post("/admin/calendar/holidays", data={"country": "us"})
    assert response.status_code == 303
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "Closed on 1" in page and "Christmas Day (25 Dec 2026)" in page
    closed = stored_rules(database).closed_dates
    assert {date(2026, 12, 25), date(2027, 1, 1), date(2027, 11, 25)} <= closed
    assert date(2026, 11, 26) not in closed  # Thanksgiving 2026 is already past
    assert all(day >= date(2026, 12, 1) for day in closed)

    baker.post("/admin/calendar/holidays", data={"country": "US"})
    assert "No new public holidays for US" in client.get("/admin/calendar").get_data(as_text=True)
    assert stored_rules(database).closed_dates == closed

    baker.post("/admin/calendar/holidays", data={"country": "QQ"})
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "Holidays not imported: no public holidays known for country &#39;QQ&#39;" in page


def test_closing_a_booked_day_keeps_the_order_and_lists_a_conflict(
    client: FlaskClient, baker: AuthActions, session: orm.Session
) -> None:
    thursday = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    friday = [
        place(session, pickup_at=FRIDAY_11AM, now=TUESDAY_10AM, phone=f"+1415555020{n}")
        for n in range(3)
    ]
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'class="conflict"' not in page

    form = calendar_form(closed_dates="2026-12-03", per_slot="2")
    baker.post("/admin/calendar", data=form)
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "Calendar saved. 2 orders no longer fit" in page
    assert f'id="conflict-{thursday.id}"' in page
    assert "the shop is now closed that day" in page
    assert f'id="conflict-{friday[2].id}"' in page  # the last booked of the slot
    assert "the slot is over its capacity of 2 cakes" in page
    assert f'id="conflict-{friday[0].id}"' not in page
    session.expire_all()
    assert session.get_one(type(thursday), thursday.id).pickup_at == THURSDAY_10AM


def test_two_saves_at_the_same_moment_both_count(
    client: FlaskClient, baker: AuthActions, database: Database
) -> None:
    assert baker.post("/admin/calendar", data=calendar_form(per_day="15")).status_code == 303
    assert stored_rules(database).capacity.per_day == 15
    assert baker.post("/admin/calendar", data=calendar_form(per_day="16")).status_code == 303
    assert stored_rules(database).capacity.per_day == 16  # the clock stood still in between
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'name="per_day" value="16"' in page
