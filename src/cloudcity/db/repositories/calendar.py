"""The shop's calendar: its stored rules, capacity counters per slot and day, chat holds.

Capacity holds under concurrency because every place is taken with one guarded upsert
(`INSERT ... ON CONFLICT DO UPDATE SET taken = taken + 1 WHERE taken < capacity`):
PostgreSQL re-checks the guard on the row's newest version after waiting for its lock, and
SQLite has one writer at a time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar import Booked
from cloudcity.calendar.codec import rules_from_json, rules_to_json
from cloudcity.calendar.rules import CalendarRules
from cloudcity.db.base import table_of
from cloudcity.db.dialect import take_one
from cloudcity.db.models import PickupDayCount, PickupHold, PickupSlotCount, ShopCalendar
from cloudcity.db.rules_cache import RulesCache

CALENDAR_ID = 1
_SLOTS = table_of(PickupSlotCount)
_DAYS = table_of(PickupDayCount)
_GIVE_SLOT = (
    sa.update(_SLOTS)
    .where(_SLOTS.c.slot_start == sa.bindparam("key"), _SLOTS.c.taken > 0)
    .values(taken=_SLOTS.c.taken - 1)
)
_GIVE_DAY = (
    sa.update(_DAYS)
    .where(_DAYS.c.day == sa.bindparam("key"), _DAYS.c.taken > 0)
    .values(taken=_DAYS.c.taken - 1)
)
# Built once: constructing the expressions cost more than running them (about 1 ms a call).
_TAKEN_SLOTS = sa.select(_SLOTS.c.slot_start, _SLOTS.c.taken).where(
    _SLOTS.c.taken > 0,
    _SLOTS.c.slot_start >= sa.bindparam("first", type_=_SLOTS.c.slot_start.type),
    _SLOTS.c.slot_start < sa.bindparam("last", type_=_SLOTS.c.slot_start.type),
)
_TAKEN_DAYS = sa.select(_DAYS.c.day, _DAYS.c.taken).where(
    _DAYS.c.taken > 0,
    _DAYS.c.day.between(
        sa.bindparam("first", type_=_DAYS.c.day.type), sa.bindparam("last", type_=_DAYS.c.day.type)
    ),
)
_HOLDS = table_of(PickupHold)
_HOLD_COLUMNS = (_HOLDS.c.address, _HOLDS.c.slot_start, _HOLDS.c.day, _HOLDS.c.expires_at)
# DELETE ... RETURNING: only the transaction that really deleted a hold gives its place back.
# Two messages sweeping the same lapsed hold at once on PostgreSQL: the second waits for the
# first's row lock, then finds the row gone and returns nothing (no double give-back, and no
# "expected to delete 1 row" error from the ORM).
_CALENDAR = table_of(ShopCalendar)
_RULES_VERSION = sa.select(_CALENDAR.c.updated_at).where(_CALENDAR.c.id == CALENDAR_ID)
_RULES = sa.select(_CALENDAR.c.rules, _CALENDAR.c.updated_at).where(_CALENDAR.c.id == CALENDAR_ID)
_LAPSED = sa.select(*_HOLD_COLUMNS).where(_HOLDS.c.expires_at <= sa.bindparam("key"))
_HOLD_OF = sa.select(*_HOLD_COLUMNS).where(_HOLDS.c.address == sa.bindparam("key"))
_DROP_HOLD = (
    sa.delete(_HOLDS).where(_HOLDS.c.address == sa.bindparam("key")).returning(*_HOLD_COLUMNS)
)
# Lapsed holds another transaction has locked are skipped, not waited for: that transaction
# is ending them and gives their places back itself. Waiting could deadlock, as a message that
# took or gave back a place (locking its counter row) and then swept would wait for a sweeper
# that waits for that counter row. SQLite has one writer at a time and no FOR UPDATE: SQLAlchemy
# leaves the clause out there.
_LAPSED_UNLOCKED = (
    sa.select(_HOLDS.c.address)
    .where(_HOLDS.c.expires_at <= sa.bindparam("key"))
    .with_for_update(skip_locked=True)
)
_DROP_LAPSED = (
    sa.delete(_HOLDS)
    .where(_HOLDS.c.address.in_(_LAPSED_UNLOCKED.scalar_subquery()))
    .returning(*_HOLD_COLUMNS)
)


@dataclass(frozen=True)
class Hold:
    """A slot kept for one chat address until `expires_at`."""

    address: str
    slot_start: datetime
    day: date
    expires_at: datetime


class CalendarRepository:
    """Rules, counters and holds."""

    def __init__(self, session: orm.Session, cache: RulesCache) -> None:
        self._session = session
        self._cache = cache
        self._read: CalendarRules | None = None

    def rules(self) -> CalendarRules | None:
        """The stored rules (one object per version, kept across requests), None if unset.

        Read once per unit of work: a second question in the same one gets the same answer.
        """
        if self._read is None:
            self._read = self._stored_rules()
        return self._read

    def _stored_rules(self) -> CalendarRules | None:
        # The version alone, usually: the rules' JSON is read and parsed only when it changed.
        version = self._session.scalar(_RULES_VERSION)
        if version is None:
            return None
        kept = self._cache.get(version)
        if kept is None:
            row = self._session.execute(_RULES).one()
            kept = rules_from_json(row.rules)
            self._cache.keep(row.updated_at, kept)
        return kept

    def save_rules(self, rules: CalendarRules, *, now: datetime) -> None:
        """Store the rules (creating the calendar, with a feed token, the first time)."""
        row = self._session.get(ShopCalendar, CALENDAR_ID)
        if row is None:
            row = ShopCalendar(id=CALENDAR_ID, feed_token=new_feed_token())
            self._session.add(row)
        self._read = None
        row.rules = rules_to_json(rules)
        # The version the rules cache goes by: it must change with every save, even two saves
        # within one tick of the clock (or of a test's fake clock).
        last = row.updated_at
        row.updated_at = now if last is None or now > last else last + timedelta(microseconds=1)
        self._session.flush()

    def feed_token(self) -> str | None:
        """The secret of the iCalendar feed's URL."""
        query = sa.select(ShopCalendar.feed_token).where(ShopCalendar.id == CALENDAR_ID)
        return self._session.scalar(query)

    def rotate_feed_token(self) -> str:
        """A new feed secret: every old link stops working."""
        row = self._session.get_one(ShopCalendar, CALENDAR_ID)
        row.feed_token = new_feed_token()
        return row.feed_token

    def booked(self, *, first: date, last: date, now: datetime) -> Booked:
        """Places taken per slot and per local day in [first, last], lapsed holds left out."""
        slot_range = {
            "first": _midnight_utc(first),
            "last": _midnight_utc(last + timedelta(days=2)),
        }
        slot_rows = self._session.execute(_TAKEN_SLOTS, slot_range)
        day_rows = self._session.execute(_TAKEN_DAYS, {"first": first, "last": last})
        slots: dict[datetime, int] = dict(slot_rows.all())
        days: dict[date, int] = dict(day_rows.all())
        for hold in self._lapsed(now):
            slots[hold.slot_start] = slots.get(hold.slot_start, 0) - 1
            days[hold.day] = days.get(hold.day, 0) - 1
        return Booked(by_slot=slots, by_day=days)

    def take(self, *, slot_start: datetime, day: date, per_slot: int, per_day: int) -> bool:
        """Take one place in a slot and its day; False (nothing taken) when either is full."""
        if not take_one(self._session, _SLOTS, "slot_start", slot_start, per_slot):
            return False
        if not take_one(self._session, _DAYS, "day", day, per_day):
            self._changed(_GIVE_SLOT, slot_start, 0)
            return False
        return True

    def give_back(self, *, slot_start: datetime, day: date) -> None:
        """Free one place in a slot and its day (an order cancelled or moved, a hold ended)."""
        self._changed(_GIVE_SLOT, slot_start, 0)
        self._changed(_GIVE_DAY, day, 0)

    def hold_of(self, address: str) -> Hold | None:
        """The address's hold, if it has one (lapsed or not)."""
        row = self._session.execute(_HOLD_OF, {"key": address}).one_or_none()
        return None if row is None else Hold(*row)

    def add_hold(self, hold: Hold) -> None:
        """Record a hold whose place was taken with `take`."""
        self._session.add(
            PickupHold(
                address=hold.address,
                slot_start=hold.slot_start,
                day=hold.day,
                expires_at=hold.expires_at,
            )
        )
        self._session.flush()

    def drop_hold(self, address: str) -> Hold | None:
        """Remove the address's hold and answer what it was (its place is still taken).

        None when there is none, or when another transaction removed it first.
        """
        row = self._session.execute(_DROP_HOLD, {"key": address}).one_or_none()
        return None if row is None else Hold(*row)

    def sweep_lapsed(self, now: datetime) -> int:
        """End holds that lapsed, giving their places back; how many this call ended."""
        lapsed = [Hold(*row) for row in self._session.execute(_DROP_LAPSED, {"key": now})]
        for hold in lapsed:
            self.give_back(slot_start=hold.slot_start, day=hold.day)
        return len(lapsed)

    def _lapsed(self, now: datetime) -> list[Hold]:
        return [Hold(*row) for row in self._session.execute(_LAPSED, {"key": now})]

    def _changed(self, statement: sa.Update, key: object, cap: int) -> bool:
        result = self._session.execute(statement, {"key": key, "cap": cap})
        return cast(sa.CursorResult[Any], result).rowcount == 1


def new_feed_token() -> str:
    """An unguessable secret for the iCalendar feed's URL."""
    return secrets.token_urlsafe(24)


def _midnight_utc(day: date) -> datetime:
    # A day early: a slot on the shop's `first` day may start before it begins in UTC.
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
