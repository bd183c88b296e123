"""Customers managing their own orders by chat: status, cancel and move, up to the cut-off."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db import Database
from cloudcity.db.models import Order, OrderEvent
from cloudcity.domain import OrderStatus
from cloudcity.outbox.queue import CANCEL_MESSAGE, PICKUP_CHANGED, PICKUP_REMINDER
from tests.chat.test_conversation import FIRST_SLOT, HAPPY
from tests.chat.test_pickup import take_places, taken
from tests.support.admin import admin_logged_in
from tests.support.chat import Phone
from tests.support.clock import FakeClock
from tests.support.outbox import rows

T = TypeVar("T")
ORDERED = (*HAPPY, "yes", "Ana", "ana@example.com")
SMALL_AGAIN = ("hi", "small", "vanilla", "buttercream", "none", "1", "no", "yes", "yes")
SUNDAY_10AM = datetime(2025, 5, 4, 17, 0, tzinfo=UTC)  # the Large cake's pickup (FIRST_SLOT)
TUESDAY_10AM = datetime(2025, 5, 6, 17, 0, tzinfo=UTC)
TUESDAY_LABEL = "Tuesday 6 May, 10:00\u201310:30"
HOURS_TO_PICKUP = 80  # from the chat clock (Thu 1 May, 09:00 UTC) to Sunday 17:00 UTC


def column(session: orm.Session, values: sa.orm.InstrumentedAttribute[T]) -> list[T]:
    """One column of every order, by id, as plain values (no tracked rows left to refresh)."""
    found = list(session.scalars(sa.select(values).order_by(Order.id)))
    session.commit()
    return found


def events(session: orm.Session, order_id: int) -> list[tuple[str, str, str | None]]:
    """The order's timeline as (kind, actor, note), read fresh."""
    session.expire_all()
    query = sa.select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
    found = [(e.kind, e.actor, e.note) for e in session.scalars(query)]
    session.commit()
    return found


def reminders(database: Database) -> list[tuple[str, str]]:
    """Every pickup reminder as (status, the slot it reminds of)."""
    return [(r.status, str(r.payload.get("pickup_at"))) for r in rows(database, PICKUP_REMINDER)]


def two_orders(phone: Callable[..., Phone], session: orm.Session) -> tuple[Phone, list[int]]:
    """Ana with two open orders (a Large for Sunday, then a Small for Saturday); their numbers."""
    ana = phone()
    ana.order(*ORDERED)
    ana.order(*SMALL_AGAIN)
    return ana, column(session, Order.id)


def test_status_lists_every_open_order_with_its_pickup(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana, (first, second) = two_orders(phone, session)
    status = ana.say("status")
    assert "Your open orders:" in status
    assert f"#{first} Large Red Velvet, pickup {FIRST_SLOT}" in status
    assert f"#{second} Small Vanilla, pickup Saturday 3 May, 09:00\u201309:30" in status
    assert status.endswith("Reply MOVE or CANCEL to change it, or ORDER for a new cake.")


def test_a_customer_cancels_their_order_before_the_cut_off(
    phone: Callable[..., Phone], session: orm.Session, database: Database
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    [order] = column(session, Order.id)
    assert taken(session, SUNDAY_10AM) == 1
    ask = ana.say("cancel my order")
    assert f"Cancel order #{order} (Large Red Velvet cake, pickup {FIRST_SLOT})?" in ask
    assert "Please reply YES" in ana.say("hmm")
    done = ana.say("yes")
    assert f"Order #{order} is cancelled." in done
    assert column(session, Order.status) == [OrderStatus.CANCELLED]
    assert events(session, order)[-1][:2] == ("cancelled", "customer")
    assert taken(session, SUNDAY_10AM) == 0
    assert [status for status, _ in reminders(database)] == ["cancelled"]
    assert rows(database, CANCEL_MESSAGE) == []  # the chat's reply told them
    assert "was cancelled" in ana.say("status")


def test_no_keeps_the_order(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*ORDERED)
    ana.say("cancel")
    assert "stays as it is" in ana.say("no")
    assert column(session, Order.status) == [OrderStatus.PLACED]


def test_with_two_open_orders_the_customer_says_which(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana, (first, second) = two_orders(phone, session)
    which = ana.say("cancel")
    assert "Which order? Reply with its number:" in which
    assert f"#{first} Large Red Velvet" in which
    assert f"#{second} Small Vanilla" in which
    again = ana.say("#999")
    assert f"one of these order numbers: #{first}, #{second}" in again
    assert f"Cancel order #{second}" in ana.say(f"#{second}")
    assert "is cancelled" in ana.say("yes")
    assert column(session, Order.status) == [OrderStatus.PLACED, OrderStatus.CANCELLED]
    assert f"Cancel order #{first}" in ana.say(f"cancel order {first}")


def test_after_the_cut_off_the_customer_is_offered_a_person(
    phone: Callable[..., Phone], session: orm.Session, clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    clock.advance(hours=HOURS_TO_PICKUP - 23)
    refused = ana.say("cancel")
    assert "less than 24 hours away, so I can't change it here" in refused
    assert "Okay!" in ana.say("no")
    moved = ana.say("move my order")
    assert "less than 24 hours away" in moved
    assert column(session, Order.status) == [OrderStatus.PLACED]
    assert "answer you here" in ana.say("yes")


def test_the_cut_off_is_checked_again_when_the_customer_answers(
    phone: Callable[..., Phone], session: orm.Session, clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    clock.advance(hours=HOURS_TO_PICKUP - 24)  # exactly 24 hours before pickup: still allowed
    assert "Cancel order" in ana.say("cancel")
    clock.advance(minutes=30)  # the answer comes after the cut-off
    assert "less than 24 hours away" in ana.say("yes")
    assert column(session, Order.status) == [OrderStatus.PLACED]


def test_a_question_left_unanswered_expires_to_rest_not_to_a_new_order(
    phone: Callable[..., Phone], session: orm.Session, clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    assert "Cancel order" in ana.say("cancel")
    clock.advance(hours=2)
    late = ana.say("yes")
    assert late.startswith("It's been a while")
    assert "What size" not in late
    assert column(session, Order.status) == [OrderStatus.PLACED]


def timeline(client: FlaskClient, order_id: int) -> list[str]:
    """The entries of the order's timeline on its admin page, as text."""
    page = html.unescape(client.get(f"/admin/orders/{order_id}").get_data(as_text=True))
    section = page.split('class="timeline"')[1].split("</ol>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", entry).split()) for entry in section.split("</li>")]


def test_a_customer_moves_their_pickup(
    phone: Callable[..., Phone], session: orm.Session, database: Database, client: FlaskClient
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    [order] = column(session, Order.id)
    ask = ana.say("change my pickup time")
    assert f"When would you like to pick up order #{order} instead?" in ask
    assert "Or name a day and time." in ask
    moved = ana.say("tue 10am")
    assert moved == f"Done! Order #{order} is now for pickup {TUESDAY_LABEL}."
    assert column(session, Order.pickup_at) == [TUESDAY_10AM]
    kind, actor, note = events(session, order)[-1]
    assert (kind, actor) == ("pickup_changed", "customer")
    assert note is not None
    assert TUESDAY_LABEL in note
    assert (taken(session, SUNDAY_10AM), taken(session, TUESDAY_10AM)) == (0, 1)
    assert [status for status, _ in reminders(database)] == ["cancelled", "pending"]
    assert rows(database, PICKUP_CHANGED) == []
    assert f"for pickup {TUESDAY_LABEL}." in ana.say("status")
    # The baker sees who moved it, and to when, on the order's page.
    admin_logged_in(client, database)
    [moved_entry] = [entry for entry in timeline(client, order) if "Pickup time set" in entry]
    assert "by customer" in moved_entry and TUESDAY_LABEL in moved_entry


def test_a_move_to_a_full_slot_is_refused_with_others_offered(
    phone: Callable[..., Phone], session: orm.Session, database: Database
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    take_places(database, TUESDAY_10AM, 3)
    ana.say("move")
    full = ana.say("tue 10am")
    assert "That time is fully booked." in full
    assert "Answer with its number:\n1. " in full
    assert column(session, Order.pickup_at) == [SUNDAY_10AM]
    assert taken(session, SUNDAY_10AM) == 1
    moved = ana.say("1")
    assert "is now for pickup" in moved
    assert column(session, Order.pickup_at) != [SUNDAY_10AM]


def test_a_time_that_is_no_time_asks_again(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order(*ORDERED)
    ana.say("reschedule")
    again = ana.say("whenever")
    assert "couldn't read that as a day or time" in again
    assert "instead?" in again


def test_a_ready_order_is_not_changed_by_chat(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    session.execute(sa.update(Order).values(status=OrderStatus.READY))
    session.commit()
    assert "is ready already" in ana.say("cancel")


def test_nothing_to_change_without_an_open_order(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    ana.say("cancel")  # the order in progress
    assert "no open orders" in ana.say("cancel my order")
