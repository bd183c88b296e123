"""Chat holds: a held place counts as taken until it is released, used, or lapses."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.calendar import Accepted, Reason, check
from cloudcity.db import Database, UnitOfWork
from cloudcity.db.models import PickupHold, PickupSlotCount
from cloudcity.pickup import (
    PickupUnavailable,
    hold_pickup,
    pickup_query,
    release_hold,
    shop_rules,
)
from tests.pickup.conftest import TUESDAY_10AM

THURSDAY_2PM = datetime.fromisoformat("2026-12-03T14:00:00-08:00")
FRIDAY_10AM = datetime.fromisoformat("2026-12-04T10:00:00-08:00")  # a Large cake's first
ANA, BEN = "whatsapp:+14155550100", "+14155550101"


def hold(database: Database, address: str, *, now: datetime = TUESDAY_10AM) -> None:
    """Hold Thursday 14:00 for `address` for 15 minutes."""
    with database.unit_of_work() as uow:
        verdict = check(pickup_query(uow, size=None, now=now), THURSDAY_2PM)
        assert isinstance(verdict, Accepted), verdict.reason.name
        hold_pickup(uow=uow, address=address, verdict=verdict, now=now, minutes=15)


def taken(session: orm.Session) -> int:
    """Places counted in the Thursday 14:00 slot, read fresh."""
    session.expire_all()
    found = session.scalar(sa.select(PickupSlotCount.taken)) or 0
    session.commit()
    return found


@pytest.fixture
def full_but_one(database: Database) -> None:
    """Thursday 14:00 has one place left (three a slot, two held by others long ago)."""
    long_ago = TUESDAY_10AM - timedelta(minutes=10)
    for address in ("+14155550901", "+14155550902"):
        hold(database, address, now=long_ago)


@pytest.mark.usefixtures("full_but_one")
def test_a_held_last_place_is_refused_to_the_next_customer(
    database: Database, session: orm.Session
) -> None:
    hold(database, ANA)
    with pytest.raises(AssertionError, match="SLOT_FULL"):
        hold(database, BEN)
    assert taken(session) == 3


@pytest.mark.usefixtures("full_but_one")
def test_a_released_hold_gives_its_place_back(database: Database, session: orm.Session) -> None:
    hold(database, ANA)
    with database.unit_of_work() as uow:
        release_hold(uow=uow, address=ANA)
    assert taken(session) == 2
    hold(database, BEN)
    assert taken(session) == 3


@pytest.mark.usefixtures("full_but_one")
def test_a_lapsed_hold_is_free_again_and_swept_when_taken(
    database: Database, session: orm.Session
) -> None:
    hold(database, ANA)
    later = TUESDAY_10AM + timedelta(minutes=16)  # every hold so far has lapsed
    with database.unit_of_work() as uow:
        verdict = check(pickup_query(uow, size=None, now=later), THURSDAY_2PM)
        assert isinstance(verdict, Accepted)
        assert verdict.places_left == 3
    hold(database, BEN, now=later)
    assert taken(session) == 1
    assert session.scalars(sa.select(PickupHold.address)).all() == [BEN]


def test_a_hold_that_lost_the_race_offers_slots_for_the_cakes_size(database: Database) -> None:
    with database.unit_of_work() as uow:
        verdict = check(pickup_query(uow, size="Large", now=TUESDAY_10AM), FRIDAY_10AM)
        assert isinstance(verdict, Accepted)
    with database.unit_of_work() as uow:
        for address in ("+14155550901", "+14155550902", "+14155550903"):
            hold_pickup(uow=uow, address=address, verdict=verdict, now=TUESDAY_10AM, minutes=15)
    with database.unit_of_work() as uow, pytest.raises(PickupUnavailable) as refused:
        hold_pickup(
            uow=uow, address=ANA, verdict=verdict, now=TUESDAY_10AM, minutes=15, size="Large"
        )
    refusal = refused.value.refusal
    assert refusal.reason is Reason.SLOT_FULL
    assert refusal.alternatives
    assert all(free.slot.start > FRIDAY_10AM for free in refusal.alternatives)


def test_two_sweeps_at_once_give_a_lapsed_place_back_once(
    database: Database, session: orm.Session
) -> None:
    hold(database, ANA)
    later = TUESDAY_10AM + timedelta(minutes=16)
    swept: list[int] = []

    def other() -> None:
        with database.unit_of_work() as uow:
            swept.append(uow.calendar.sweep_lapsed(later))

    with database.unit_of_work() as uow:
        swept.append(uow.calendar.sweep_lapsed(later))
        racer = threading.Thread(target=other)
        racer.start()
        time.sleep(0.3)  # the other sweep waits for our lock (PostgreSQL's row, SQLite's file)
    racer.join(10)
    assert swept == [1, 0]
    assert taken(session) == 0


def test_two_messages_crossing_over_two_slots_both_finish(
    database: Database, session: orm.Session, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time: two units of work never interleave")
    first, second = THURSDAY_2PM, FRIDAY_10AM
    crossing = threading.Barrier(2, timeout=10)
    finished: list[str] = []

    def take(one: datetime, other: datetime) -> None:
        attempts = iter(range(10))

        def work(uow: UnitOfWork) -> None:
            for start in (one, other):
                day = start.astimezone(shop_rules(uow).tz).date()
                uow.calendar.take(slot_start=start, day=day, per_slot=3, per_day=20)
                if start == one and next(attempts) == 0:
                    crossing.wait()  # both hold their first slot: PostgreSQL sees a deadlock

        database.run(work)
        finished.append(one.isoformat())

    threads = [
        threading.Thread(target=take, args=pair) for pair in ((first, second), (second, first))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(finished) == 2
    session.expire_all()
    assert dict(
        session.execute(sa.select(PickupSlotCount.slot_start, PickupSlotCount.taken)).all()
    ) == {
        first: 2,
        second: 2,
    }
