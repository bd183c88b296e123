"""The calendar, schedule and reschedule tests: the app on a clock at Tuesday 1 Dec 2026.

The default calendar: Tue-Sat 9-17, Sun 10-14, Mon closed; 48 h lead (72 h for Large),
orders after 16:00 count from the next morning; 3 cakes a slot, 20 a day; Los Angeles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar.rules import CalendarRules
from cloudcity.db import Database
from cloudcity.db.models import PickupDayCount, PickupSlotCount
from cloudcity.pickup import shop_rules
from tests.support.clock import TUESDAY_10AM, fake_clock_fixtures

LA = ZoneInfo("America/Los_Angeles")
THURSDAY_10AM = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
THURSDAY_1130 = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)
FRIDAY_10AM = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
FRIDAY_11AM = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


clock, app = fake_clock_fixtures(TUESDAY_10AM)


def stored_rules(database: Database) -> CalendarRules:
    """The calendar as the database has it now."""
    with database.reading() as reading:
        return shop_rules(reading)


def taken(session: orm.Session, slot_start: datetime) -> tuple[int, int]:
    """Places taken in a slot and in its day (the shop's date)."""
    session.expire_all()
    slot = session.scalar(
        sa.select(PickupSlotCount.taken).where(PickupSlotCount.slot_start == slot_start)
    )
    day = slot_start.astimezone(LA).date()
    count = session.scalar(sa.select(PickupDayCount.taken).where(PickupDayCount.day == day))
    session.commit()
    return slot or 0, count or 0
