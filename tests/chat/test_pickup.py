"""The chat's pickup step through the signed webhook, on a clock standing at Tue 1 Dec 2026.

The default calendar: Tue-Sat 9-17, Sun 10-14, Mon closed; 48 h notice (72 h for Large),
3 cakes a slot, 20 a day, 60 days ahead, in America/Los_Angeles (en_US: 12/24 is 24 Dec).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Order, PickupHold, PickupSlotCount
from cloudcity.pickup import shop_rules
from tests.support.chat import Phone, at_once
from tests.support.clock import FakeClock

TUESDAY_10AM = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles
SMALL_CAKE = ("hi", "small", "vanilla", "buttercream", "none")
LARGE_CAKE = ("hi", "large", "vanilla", "buttercream", "none")
FIRST = "Thursday 3 Dec, 10:00\u201310:30"  # the first slot a Small cake may have
SAT_10AM = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
SAT_10AM_LABEL = "Saturday 5 Dec, 10:00\u201310:30"
OFFER = re.compile(r"^1\. (.+)$", re.MULTILINE)


@pytest.fixture
def hold_minutes() -> int:
    """How long a chosen slot is held (a test may parametrize it)."""
    return 15


@pytest.fixture
def settings(settings: Settings, hold_minutes: int) -> Settings:
    """The chat settings with the hold time under test."""
    return settings.model_copy(update={"pickup_hold_minutes": hold_minutes})


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock, at Tuesday 1 Dec 2026, 10:00 in the shop's zone."""
    return FakeClock(TUESDAY_10AM)


def take_places(database: Database, start: datetime, count: int) -> None:
    """Count `count` cakes as booked in the slot starting at `start` (orders made elsewhere)."""
    with database.unit_of_work() as uow:
        day = start.astimezone(shop_rules(uow).tz).date()
        for _ in range(count):
            assert uow.calendar.take(slot_start=start, day=day, per_slot=3, per_day=20)


def taken(session: orm.Session, start: datetime) -> int:
    """Places counted in a slot, read fresh (the read ends so the app can write)."""
    session.expire_all()
    found = session.scalar(
        sa.select(PickupSlotCount.taken).where(PickupSlotCount.slot_start == start)
    )
    session.commit()
    return found or 0


def first_offer(reply: str) -> str:
    """The slot offered as number 1 in a reply."""
    found = OFFER.search(reply)
    assert found, reply
    return found[1]


def test_a_whole_order_with_a_pickup_time(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    question = ana.order(*SMALL_CAKE)
    assert question.startswith("When would you like to pick it up?")
    assert question.splitlines()[1:] == [
        f"1. {FIRST}",
        "2. Thursday 3 Dec, 10:30\u201311:00",
        "3. Thursday 3 Dec, 11:00\u201311:30",
        "Or name a day and time.",
    ]
    assert f"pickup {SAT_10AM_LABEL}." in ana.say("sat 10am")
    confirm = ana.say("no")
    assert (
        "A Small Vanilla cake with Buttercream frosting and no topping comes to $20.00" in confirm
    )
    assert f"pickup {SAT_10AM_LABEL}." in confirm
    assert "Shall we place the order?" in confirm
    assert taken(session, SAT_10AM) == 1
    done = ana.order("yes", "Ana", "ana@example.com")
    assert f"pickup {SAT_10AM_LABEL}." in done
    order = session.scalars(sa.select(Order)).one()
    assert order.pickup_at == SAT_10AM
    assert taken(session, SAT_10AM) == 1  # the hold became the order's place
    assert session.scalars(sa.select(PickupHold)).all() == []
    assert f"for pickup {SAT_10AM_LABEL}." in ana.say("status")


ANSWERS = {
    "1": FIRST,
    "2": "Thursday 3 Dec, 10:30\u201311:00",
    "asap": FIRST,
    "earliest please": FIRST,
    "as soon as possible": FIRST,
    "saturday": "Saturday 5 Dec, 09:00\u201309:30",
    "sat 2pm": "Saturday 5 Dec, 14:00\u201314:30",
    "thursday at 3": "Thursday 3 Dec, 15:00\u201315:30",
    "next friday morning": "Friday 4 Dec, 09:00\u201309:30",
    "friday afternoon": "Friday 4 Dec, 12:00\u201312:30",
    "sunday noon": "Sunday 6 Dec, 12:00\u201312:30",
    "24 Dec 10am": "Thursday 24 Dec, 10:00\u201310:30",
    "12/24": "Thursday 24 Dec, 09:00\u201309:30",
    "for the 10th please": "Thursday 10 Dec, 09:00\u201309:30",
}


@pytest.mark.parametrize(("answer", "slot"), ANSWERS.items(), ids=ANSWERS.keys())
def test_answers_in_words_are_read_back_as_slots(
    phone: Callable[..., Phone], answer: str, slot: str
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE)
    confirm = ana.say(answer)
    assert f"Got it: pickup {slot}.\nAnything written on the cake?" in confirm


REFUSALS = {
    "tomorrow at 3": "too soon for us to bake it: the earliest pickup is Thursday 3 Dec, 10:00.",
    "monday": "We're closed on Mondays.",
    "sat 8pm": "That's outside our opening hours on Saturday 5 Dec",
    "15 March": "We take bookings up to Saturday 30 Jan.",
    "thursday 10:15": "Pickups are in 30-minute slots",
}


@pytest.mark.parametrize(("answer", "why"), REFUSALS.items(), ids=REFUSALS.keys())
def test_a_time_we_cannot_serve_says_why_and_offers_others(
    phone: Callable[..., Phone], session: orm.Session, answer: str, why: str
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE)
    refused = ana.say(answer)
    assert why in refused
    assert "Could one of these suit you? Answer with its number:\n1. " in refused
    assert taken(session, SAT_10AM) == 0
    offered = first_offer(refused)
    assert f"pickup {offered}." in ana.say("1")  # the number picks from the list just shown


def test_an_offered_slot_can_still_be_chosen_after_the_clock_passes_its_notice(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    ana = phone()
    assert f"1. {FIRST}" in ana.order(*SMALL_CAKE)  # exactly 48 h ahead: no second to spare
    clock.advance(seconds=1)
    assert f"Got it: pickup {FIRST}." in ana.say("1")


def test_a_time_typed_a_second_too_late_names_the_next_whole_minute(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE)
    clock.advance(seconds=1)
    assert "the earliest pickup is Thursday 3 Dec, 10:01." in ana.say("thursday 10am")


def test_an_offer_older_than_the_hold_time_is_checked_again(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE)
    clock.advance(minutes=16)
    refused = ana.say("1")
    assert "the earliest pickup is Thursday 3 Dec, 10:16." in refused
    assert "1. Thursday 3 Dec, 10:30\u201311:00" in refused


def test_a_large_cake_needs_more_notice(phone: Callable[..., Phone]) -> None:
    ana = phone()
    assert "1. Friday 4 Dec, 10:00\u201310:30" in ana.order(*LARGE_CAKE)
    refused = ana.say("thursday")
    assert "the earliest pickup is Friday 4 Dec, 10:00." in refused


def test_a_closed_date_and_a_full_slot_are_refused(
    phone: Callable[..., Phone], database: Database
) -> None:
    with database.unit_of_work() as uow:
        rules = shop_rules(uow)
        closed = dataclasses.replace(rules, closed_dates=frozenset({date(2026, 12, 24)}))
        uow.calendar.save_rules(closed, now=TUESDAY_10AM)
    take_places(database, SAT_10AM, 3)
    ana = phone()
    ana.order(*SMALL_CAKE)
    assert "We're closed on Thursday 24 Dec." in ana.say("24 Dec 10am")
    full = ana.say("sat 10am")
    assert "That time is fully booked." in full
    assert SAT_10AM_LABEL not in full
    assert "Saturday 5 Dec, 09:30\u201310:00" in full


def test_an_answer_that_is_no_time_asks_again(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE)
    again = ana.say("whenever suits")
    assert again.startswith("Sorry, I couldn't read that as a day or time.")
    assert f"1. {FIRST}" in again
    assert f"pickup {FIRST}" in ana.say("1")


def test_a_held_last_place_cannot_be_taken_by_another_customer(
    phone: Callable[..., Phone], database: Database, session: orm.Session
) -> None:
    take_places(database, SAT_10AM, 2)
    ana, ben = phone("whatsapp:+14155550100"), phone("+14155550101")
    ana.order(*SMALL_CAKE, "sat 10am")
    ben.order(*SMALL_CAKE)
    assert "That time is fully booked." in ben.say("sat 10am")
    assert taken(session, SAT_10AM) == 3


@pytest.mark.parametrize("hold_minutes", [120])  # a hold that outlives the conversation
@pytest.mark.parametrize("ending", ["cancel", "restart", "STOP", "conversation expires"])
def test_a_hold_ends_with_the_conversation_and_the_place_comes_back(
    phone: Callable[..., Phone],
    database: Database,
    session: orm.Session,
    clock: FakeClock,
    ending: str,
) -> None:
    take_places(database, SAT_10AM, 2)
    ana, ben = phone("whatsapp:+14155550100"), phone("+14155550101")
    ana.order(*SMALL_CAKE, "sat 10am", "no", "yes")
    if ending == "conversation expires":
        clock.advance(minutes=61)
        assert "let's start fresh" in ana.say("hello")
    else:
        ana.send(ending)
    assert taken(session, SAT_10AM) == 2
    ben.order(*SMALL_CAKE)
    assert f"pickup {SAT_10AM_LABEL}." in ben.say("sat 10am")
    assert taken(session, SAT_10AM) == 3


def test_changing_the_pickup_time_gives_the_first_one_back(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE, "sat 10am", "no")
    offer = ana.say("no")
    assert "5. Pickup time" in offer
    assert "When would you like to pick it up?" in ana.say("pickup time")
    assert taken(session, SAT_10AM) == 0
    confirm = ana.say("friday 2pm")
    assert "pickup Friday 4 Dec, 14:00\u201314:30." in confirm
    assert "Done!" in ana.order("yes", "Ana", "ana@example.com")
    order = session.scalars(sa.select(Order)).one()
    assert order.pickup_at == datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    assert taken(session, SAT_10AM) == 0


def test_a_bigger_cake_asks_again_when_the_time_is_too_soon(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE, "asap", "no", "no", "size")
    refused = ana.say("large")
    assert "the earliest pickup is Friday 4 Dec, 10:00." in refused
    offered = first_offer(refused)
    confirm = ana.say("1")
    assert "A Large Vanilla cake" in confirm
    assert f"pickup {offered}." in confirm


def test_a_lapsed_hold_still_free_is_booked_at_placing(
    phone: Callable[..., Phone], database: Database, session: orm.Session, clock: FakeClock
) -> None:
    take_places(database, SAT_10AM, 2)
    ana = phone()
    ana.order(*SMALL_CAKE, "sat 10am", "no", "yes", "Ana")
    clock.advance(minutes=20)
    assert "Done!" in ana.say("ana@example.com")
    assert session.scalars(sa.select(Order.pickup_at)).one() == SAT_10AM
    assert taken(session, SAT_10AM) == 3


def test_a_lapsed_hold_that_was_taken_offers_the_nearest_slots(
    phone: Callable[..., Phone], database: Database, session: orm.Session, clock: FakeClock
) -> None:
    take_places(database, SAT_10AM, 2)
    ana, ben = phone("whatsapp:+14155550100"), phone("+14155550101")
    ana.order(*SMALL_CAKE, "sat 10am", "no", "yes", "Ana")
    clock.advance(minutes=20)
    assert f"pickup {SAT_10AM_LABEL}." in ben.order(*SMALL_CAKE, "sat 10am")
    gone = ana.say("ana@example.com")
    assert gone.startswith(f"Sorry, we couldn't keep {SAT_10AM_LABEL} for you.\n")
    assert "That time is fully booked. Could one of these suit you?" in gone
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    session.commit()
    offered = first_offer(gone)
    assert f"pickup {offered}." in ana.say("1")
    assert "order as Ana, ana@example.com?" in ana.say("yes")
    done = ana.say("yes")
    assert f"pickup {offered}." in done
    assert "Done!" in done
    assert taken(session, SAT_10AM) == 3


def test_status_of_an_order_without_a_pickup_time_says_to_arrange(
    phone: Callable[..., Phone], database: Database, session: orm.Session
) -> None:
    ana = phone()
    ana.order(*SMALL_CAKE, "1", "no", "yes", "Ana", "ana@example.com")
    session.execute(sa.update(Order).values(pickup_at=None))  # as placed before pickup times
    session.commit()
    assert "in the oven queue, pickup to arrange;" in ana.say("status")


def customers(client_app: Flask, count: int) -> list[Phone]:
    """Phones for `count` customers, each with its own test client."""
    return [Phone(client_app.test_client(), f"+1415555{n:04d}") for n in range(1000, 1000 + count)]


def test_twenty_customers_racing_for_the_last_two_places_at_the_pickup_step(
    app: Flask, database: Database, session: orm.Session
) -> None:
    take_places(database, SAT_10AM, 1)
    racers = customers(app, 20)
    for racer in racers:
        racer.order(*SMALL_CAKE)
    answers = at_once(app, [racer.params("sat 10am") for racer in racers])
    assert [status for status, _ in answers] == [200] * 20
    replies = [reply or "" for _, reply in answers]
    assert sum(f"pickup {SAT_10AM_LABEL}." in reply for reply in replies) == 2
    refused = [reply for reply in replies if "That time is fully booked." in reply]
    assert len(refused) == 18
    assert all("Could one of these suit you?" in reply for reply in refused)
    assert taken(session, SAT_10AM) == 3


@pytest.mark.parametrize("hold_minutes", [1])
def test_twenty_customers_racing_for_the_last_two_places_at_the_last_step(
    app: Flask, database: Database, session: orm.Session, clock: FakeClock
) -> None:
    take_places(database, SAT_10AM, 1)
    racers = customers(app, 20)
    for number, racer in enumerate(racers):
        racer.order(*SMALL_CAKE, "sat 10am", "no", "yes", f"Customer {number}")
        clock.advance(minutes=2)  # the hold lapses: the next customer may choose the place
    answers = at_once(app, [racer.params(f"c{n}@example.com") for n, racer in enumerate(racers)])
    assert [status for status, _ in answers] == [200] * 20
    replies = [reply or "" for _, reply in answers]
    assert sum(reply.startswith("Done!") for reply in replies) == 2
    gone = [reply for reply in replies if reply.startswith("Sorry, we couldn't keep")]
    assert len(gone) == 18
    assert all(SAT_10AM_LABEL in r and "Could one of these suit you?" in r for r in gone)
    session.expire_all()
    assert session.scalars(sa.select(Order.pickup_at)).all() == [SAT_10AM, SAT_10AM]
    assert taken(session, SAT_10AM) == 3
    assert session.scalars(sa.select(PickupHold)).all() == []
