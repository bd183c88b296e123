"""The conversation around an order: at rest after it, small talk, and a person to talk to."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import event, orm

from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Conversation, Customer, PickupHold
from cloudcity.handoff import hand_back
from tests.chat.test_conversation import HAPPY, orders
from tests.support.admin import admin_logged_in, thread_bodies
from tests.support.chat import Phone
from tests.support.clock import TUESDAY_10AM, FakeClock

ORDERED = (*HAPPY, "yes", "Ana", "ana@example.com")
QUIET_MINUTES = 240  # the default CLOUDCITY_HANDOFF_QUIET_MINUTES
# The chat clock (Thu 1 May 2025, 02:00 in Los Angeles) is before the shop opens at 9:00.
CLOSED_NOW = "We're closed now: we open today at 9:00, and someone will answer then."


def transcript(session: orm.Session, address: str) -> list[tuple[str, str]]:
    """The address's messages in order, as (direction, body), read fresh."""
    session.expire_all()
    query = sa.select(ChatMessage).where(ChatMessage.address == address)
    found = [(m.direction, m.body) for m in session.scalars(query.order_by(ChatMessage.id))]
    session.commit()
    return found


def conversation_id(session: orm.Session, address: str) -> int:
    """The id of the address's conversation (its page in the inbox)."""
    found = session.scalar(sa.select(Conversation.id).where(Conversation.address == address))
    session.commit()
    assert found is not None
    return found


def handoff_at(session: orm.Session, address: str) -> object:
    """When the address's conversation was handed to staff (None: the bot has it)."""
    session.expire_all()
    query = sa.select(Conversation.handoff_at).where(Conversation.address == address)
    found = session.scalar(query)
    session.commit()
    return found


def test_a_whole_conversation_order_thanks_question_person_and_a_new_order(
    phone: Callable[..., Phone], session: orm.Session, database: Database, client: FlaskClient
) -> None:
    ana = phone()
    assert "Done!" in ana.order(*ORDERED)
    thanks = ana.say("Thank you!")
    assert thanks.startswith("You're welcome, Ana!")
    assert "What size" not in thanks
    question = ana.say("when can I pick it up?")
    assert "didn't catch that" not in question
    assert "1. Order a cake\n2. Check an order\n3. Talk to a person" in question
    handed = ana.say("3")
    assert "asked someone at Cloud City Cake Company to answer you here" in handed
    assert CLOSED_NOW in handed
    assert handoff_at(session, ana.address) is not None

    waiting = [f"message {n}\nwith a second line" for n in range(1, 21)]
    assert [ana.send(text) for text in waiting] == [None] * 20
    lines = transcript(session, ana.address)
    assert lines[-20:] == [("in", text) for text in waiting]
    assert lines[-21] == ("out", handed)
    # The baker's inbox shows the twenty messages in the order they came, each once.
    admin_logged_in(client, database)
    shown = thread_bodies(client, conversation_id(session, ana.address))
    assert [body for body in shown if body in waiting] == waiting
    assert shown[-21:] == [handed, *waiting]

    with database.unit_of_work() as uow:
        hand_back(uow=uow, address=ana.address, now=TUESDAY_10AM)
    back = ana.say("I'd like another cake")
    assert back.startswith("Thanks for waiting! You're chatting with our assistant again.")
    assert "What size" in back
    assert not ana.say("small").startswith("Thanks for waiting")  # said once
    assert "Done!" in ana.order("vanilla", "buttercream", "none", "1", "no", "yes", "yes")
    assert len(orders(session)) == 2


def test_the_bot_resumes_by_itself_when_the_quiet_time_passes(
    phone: Callable[..., Phone], clock: FakeClock, session: orm.Session
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    assert "answer you here" in ana.say("talk to a person")
    clock.advance(minutes=QUIET_MINUTES - 1)
    assert ana.send("hello?") is None
    clock.advance(minutes=1)
    back = ana.say("order")
    assert back.startswith("Thanks for waiting!")
    assert "What size" in back
    # Nobody answered "hello?": the conversation still waits for staff in the inbox.
    assert handoff_at(session, ana.address) is not None
    assert "Thanks for waiting" not in ana.say("large")


def test_a_person_mid_order_drops_the_order_and_gives_its_slot_back(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY)  # a pickup slot is held at the confirm step
    assert "answer you here" in ana.say("Can I speak to a human please?")
    assert session.scalars(sa.select(PickupHold)).all() == []
    session.commit()
    assert orders(session) == []


def test_a_name_is_a_name_even_when_it_is_a_word_we_know(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes")
    assert "email" in ana.say("Ana Baker")
    assert "Done!" in ana.say("ana@example.com")
    assert orders(session)[0].customer.name == "Ana Baker"


def test_help_me_after_two_misses_hands_over(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    assert "MENU" in ana.say("help me")  # no misses yet: the usual help
    ana.say("pizza")
    ana.say("burger")
    assert "answer you here" in ana.say("help me")


def test_the_bots_offer_of_a_person_can_be_accepted(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    clock.advance(hours=70)  # the pickup is under 24 hours away
    offer = ana.say("cancel my order")
    assert "less than 24 hours away" in offer
    assert "talk to a person? (yes/no)" in offer
    assert "answer you here" in ana.say("yes")


def test_the_customer_is_told_we_are_open_now(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    clock.now = TUESDAY_10AM
    handed = phone().say("agent")
    assert "We're open now, so someone will answer shortly." in handed


def test_on_a_closed_day_the_customer_is_told_the_day_we_open(
    phone: Callable[..., Phone], clock: FakeClock
) -> None:
    clock.now = TUESDAY_10AM.replace(day=6, hour=20)  # Sunday 6 Dec, 12:00 (open until 14:00)
    clock.advance(hours=4)  # Sunday 16:00: closed, and closed all Monday
    assert "we open Tuesday at 9:00" in phone().say("human")


def test_bye_and_ok_get_a_short_answer_and_no_new_order(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order(*ORDERED)
    assert ana.say("bye!").startswith("Bye, Ana!")
    assert "What size" not in ana.say("ok")
    offer = ana.say("thanks so much")
    assert "order another cake? (yes/no)" in offer
    assert "Okay!" in ana.say("no")
    offer = ana.say("thanks")
    assert "What size" in ana.say("yes please")


def test_an_unplaced_message_at_rest_offers_the_three_choices(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    assert "3. Talk to a person" in ana.say("is it gluten free?")
    [order] = orders(session)
    assert f"#{order.id}" in ana.say("2")
    assert "3. Talk to a person" in ana.say("what about nuts?")
    assert "What size" in ana.say("1")


def test_a_greeting_mid_order_reminds_where_we_are(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order("hi", "large", "red velvet")
    hello = ana.say("hello")
    assert hello.startswith("Hi! We're in the middle of your order (so far: Large, Red Velvet).")
    assert "Which frosting?" in hello
    assert "didn't catch that" not in hello
    assert "And a topping?" in ana.say("cream cheese")
    assert "Which topping" not in ana.say("hey there")
    assert "When would you like" in ana.say("sprinkles")
    again = ana.say("Hi!")
    assert "When would you like to pick it up?" in again
    assert "didn't catch that" not in again


def test_a_greeting_at_the_first_step_asks_the_question_again(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    again = ana.say("hey")
    assert again.startswith("Hi! We're in the middle of your order.")
    assert "What size" in again
    assert orders(session) == []


def test_stop_during_a_handoff_still_opts_out_and_start_stays_quiet(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.say("human")
    assert ana.send("STOP") is None
    session.expire_all()
    customer = session.scalars(sa.select(Customer)).one()
    assert customer.opted_out
    session.commit()
    assert ana.send("START") is None  # opted back in, but staff still have the conversation
    session.expire_all()
    assert not session.scalars(sa.select(Customer)).one().opted_out
    session.commit()


def test_a_message_to_a_quiet_bot_costs_no_more_than_any_other(
    phone: Callable[..., Phone], database: Database
) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()).split(" WHERE ")[0])

    ana = phone()
    ana.say("talk to a person")
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        assert ana.send("are you there?") is None
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "WITH"))]
    reads = [s.split(" FROM ")[-1].split()[0] for s in statements if s.startswith("SELECT")]
    assert reads == ["conversations"]  # the lock (the menu's version rides along with it)
    assert len(writes) <= 3, writes  # the customer's arrival, the conversation, the transcript
