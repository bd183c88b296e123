"""The iCalendar feed of pickups: a secret URL, no personal contact details, rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import orm

from cloudcity.db import Database
from tests.admin.calendar.conftest import FRIDAY_11AM, THURSDAY_10AM, TUESDAY_10AM
from tests.support.admin import AuthActions, place


def feed_path(database: Database) -> str:
    """The feed's path with the current secret."""
    with database.reading() as reading:
        return f"/calendar/{reading.calendar.feed_token()}.ics"


@pytest.fixture
def booked(session: orm.Session) -> list[int]:
    """Two orders with pickups (one medium chocolate for Ana) and one to arrange."""
    ana = place(
        session,
        name="Ana Ruiz",
        size="Medium",
        flavour="Chocolate",
        pickup_at=THURSDAY_10AM,
        now=TUESDAY_10AM,
    )
    bo = place(session, name="Bo", phone="+14155550201", pickup_at=FRIDAY_11AM, now=TUESDAY_10AM)
    place(session, name="Cy", phone="+14155550202", now=TUESDAY_10AM)
    return [ana.id, bo.id]


def test_the_feed_lists_upcoming_pickups_in_utc_without_contact_details(
    client: FlaskClient, database: Database, booked: list[int]
) -> None:
    response = client.get(feed_path(database))  # no login: the secret is the key
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "example.com" not in body and "+1415555" not in body
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        f"#{booked[0]} Medium Chocolate \u2014 Ana",
        f"#{booked[1]} Small Vanilla \u2014 Bo",
    ]
    first = events[0]
    assert first.decoded("dtstart") == THURSDAY_10AM
    assert first.decoded("dtend") == THURSDAY_10AM + timedelta(minutes=30)
    assert first.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(first["uid"]) == f"order-{booked[0]}@cloudcity"


def test_a_wrong_token_is_not_found(client: FlaskClient, database: Database) -> None:
    right = feed_path(database)
    assert client.get(right[:-5] + "x.ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404
    assert client.get(right.replace(".ics", "")).status_code == 404


def test_rotating_the_link_retires_the_old_one(
    client: FlaskClient, auth: AuthActions, csrf: None, database: Database, booked: list[int]
) -> None:
    old = feed_path(database)
    auth.login()
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert f"http://localhost{old}" in page
    assert client.post("/admin/calendar/feed").status_code == 400  # no CSRF token
    assert client.get(old).status_code == 200
    response = auth.post("/admin/calendar/feed")
    assert response.status_code == 303
    new = feed_path(database)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert f"http://localhost{new}" in page and "the old link no longer works" in page
