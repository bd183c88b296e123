"""Ordering a cake by chat, through the signed Twilio webhook, end to end."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import ChatMessage, Conversation, Customer, MenuOption, Order
from cloudcity.domain import OptionKind, OrderStatus
from tests.support.chat import Phone
from tests.support.clock import FakeClock

HAPPY = ("hi", "Large", "Red Velvet", "Cream Cheese", "Sprinkles", "1", "no")
# A Large cake needs 72 hours: on the chat clock (Thu 1 May 2025, 02:00 in Los Angeles) the first
# free slot is on Sunday.
FIRST_SLOT = "Sunday 4 May, 10:00\u201310:30"


def orders(session: orm.Session) -> list[Order]:
    """Every order, read fresh; the read transaction ends so the app can write (SQLite)."""
    session.expire_all()
    found = list(session.scalars(sa.select(Order).order_by(Order.id)))
    session.commit()
    return found


def conversation(session: orm.Session, address: str) -> Conversation:
    """The address's conversation, read fresh."""
    session.expire_all()
    query = sa.select(Conversation).where(Conversation.address == address)
    found = session.scalars(query).one()
    session.commit()
    return found


def test_a_new_customer_orders_a_cake(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone("whatsapp:+14155550100")
    first = ana.say("Hello!")
    assert "Welcome to Cloud City Cake Company" in first
    assert "1. Small $20" in first
    assert "Which flavour?" in ana.say("Large")
    assert "Which frosting?" in ana.say("Red Velvet")
    assert "topping" in ana.say("Cream Cheese")
    pickup = ana.say("Sprinkles")
    assert "When would you like to pick it up?" in pickup
    assert f"1. {FIRST_SLOT}" in pickup
    assert "Anything written on the cake?" in ana.say("1")
    confirm = ana.say("no")
    assert "Large Red Velvet cake with Cream Cheese frosting and Sprinkles" in confirm
    assert "$48.00" in confirm
    assert f"pickup {FIRST_SLOT}" in confirm
    assert "name" in ana.say("yes")
    assert "email" in ana.say("Ana Lima")
    done = ana.say("ana@example.com")
    [order] = orders(session)
    assert f"#{order.id}" in done
    assert "$48.00" in done
    assert FIRST_SLOT in done
    assert order.pickup_at is not None
    assert order.pickup_at.isoformat() == "2025-05-04T17:00:00+00:00"
    assert (order.size, order.flavour, order.frosting, order.topping) == (
        "Large",
        "Red Velvet",
        "Cream Cheese",
        "Sprinkles",
    )
    assert order.price_cents == 4800
    assert order.source == "chat"
    assert order.idempotency_key is not None
    assert order.idempotency_key.startswith("chat:SM")
    assert (order.customer.name, order.customer.email) == ("Ana Lima", "ana@example.com")
    assert conversation(session, ana.address).step == "start"


def test_every_message_and_reply_is_recorded(
    phone: Callable[..., Phone], session: orm.Session, clock: FakeClock
) -> None:
    ana = phone("whatsapp:+14155550100")
    reply = ana.say("hi")
    rows = list(session.scalars(sa.select(ChatMessage).order_by(ChatMessage.id)))
    assert [(r.direction, r.body) for r in rows] == [("in", "hi"), ("out", reply)]
    assert rows[0].reply == reply
    assert rows[0].message_sid is not None
    assert rows[0].address == "whatsapp:+14155550100"
    customer = session.scalars(sa.select(Customer)).one()
    assert rows[0].customer_id == customer.id
    assert customer.last_inbound_at == clock.now
    assert customer.phone == "+14155550100"


def test_numbers_and_typos_are_understood(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    confirm = ana.order("hi", "3", "vanila", "2", "sprinkels", "1", "no")
    assert "Large Vanilla cake with Cream Cheese frosting and Sprinkles" in confirm
    assert "$45.00" in confirm


def test_a_wrong_answer_asks_again_with_the_choices(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    again = ana.say("enormous")
    assert "didn't catch that" in again
    assert "1. Small" in again
    assert "3. Large" in again
    assert "Which flavour?" in ana.say("large")


def test_an_ambiguous_answer_says_what_it_could_mean(phone: Callable[..., Phone]) -> None:
    ana = phone()
    again = ana.order("hi", "large", "vanilla", "cream")
    assert "Did you mean Cream Cheese or Whipped Cream?" in again
    assert "Which frosting?" in again


def test_three_misses_offer_help(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    assert "HELP" not in ana.say("pizza")
    assert "HELP" not in ana.say("burger")
    third = ana.say("salad")
    assert "Reply with the number of your choice, or HELP / RESTART" in third
    helped = ana.say("help")
    assert "MENU" in helped
    assert "What size" in helped
    assert "HELP / RESTART" not in ana.say("pasta")


def test_restart_forgets_the_choices(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order("hi", "small", "lemon")
    restarted = ana.say("Start over")
    assert "start over" in restarted
    assert "What size" in restarted
    state = conversation(session, ana.address)
    assert (state.step, state.data) == ("size", {})


def test_cancel_ends_the_conversation(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order("hi", "small", "lemon")
    assert "cancelled" in ana.say("CANCEL")
    assert conversation(session, ana.address).step == "start"
    assert "Welcome" in ana.say("small")
    assert orders(session) == []


def test_menu_prints_prices_and_keeps_the_place(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order("hi", "medium")
    menu = ana.say("menu")
    assert "Size: Small $20, Medium $30, Large $42" in menu
    assert "Red Velvet +$3 (gluten, eggs, milk; may contain tree nuts), Lemon +$2" in menu
    assert "Carrot +$2 (gluten, eggs, milk, tree nuts)" in menu
    assert "Strawberry +$2.50" in menu
    assert "Topping: None, Sprinkles +$1 (may contain milk, soybeans), Fresh Berries" in menu
    assert "Which flavour?" in menu
    assert "Which frosting?" in ana.say("chocolate")


def test_status_tells_the_latest_order(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    assert "don't have any orders" in ana.say("status")
    ana.order(*HAPPY, "yes", "Ana", "ana@example.com")
    [order] = orders(session)
    assert f"#{order.id}" in ana.say("status")
    assert "oven" in ana.say("status")
    assert f"for pickup {FIRST_SLOT}." in ana.say("status")
    order.status = OrderStatus.READY
    session.commit()
    assert "ready for pickup" in ana.say("status")


def test_no_at_confirm_lets_the_customer_change_one_thing(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY)
    offer = ana.say("no")
    assert "What would you like to change?" in offer
    assert "RESTART" in offer
    assert "Which flavour?" in ana.say("flavour")
    back = ana.say("lemon")
    assert "Large Lemon cake with Cream Cheese frosting and Sprinkles comes to $47.00" in back
    ana.order("yes", "Ana", "ana@example.com")
    assert orders(session)[0].flavour == "Lemon"


def test_confirm_wants_yes_or_no(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*HAPPY)
    assert "reply YES" in ana.say("hmm")
    assert orders(session) == []


def test_a_bad_email_is_asked_again(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes", "Ana")
    again = ana.say("ana at example")
    assert "doesn't look right" in again
    assert orders(session) == []
    assert "Done!" in ana.say("ana@example.com")


def test_a_returning_customer_orders_with_the_details_on_file(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes", "Ana", "ana@example.com")
    assert "Hi Ana!" in ana.say("hi again")
    ana.order("small", "vanilla", "buttercream", "none", "1", "no")
    offer = ana.say("yes")
    assert "order as Ana, ana@example.com?" in offer
    done = ana.say("yep")
    second = orders(session)[1]
    assert f"#{second.id}" in done
    assert second.price_cents == 2000
    assert second.customer_id == orders(session)[0].customer_id


def test_a_returning_customer_may_give_new_details(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes", "Ana", "ana@example.com")
    ana.order(*HAPPY, "yes")
    assert "What name" in ana.say("no")
    ana.order("Ana Lima", "lima@example.com")
    customer = orders(session)[1].customer
    assert (customer.name, customer.email) == ("Ana Lima", "lima@example.com")


def test_a_silent_conversation_expires(
    phone: Callable[..., Phone], clock: FakeClock, session: orm.Session
) -> None:
    ana = phone()
    ana.order("hi", "large", "lemon")
    clock.advance(minutes=59)
    assert "Which topping" not in ana.say("buttercream")
    clock.advance(minutes=61)
    fresh = ana.say("sprinkles")
    assert fresh.startswith("It's been a while, so let's start fresh.")
    assert "What size" in fresh
    state = conversation(session, ana.address)
    assert (state.step, state.data) == ("size", {})


def test_two_customers_interleaved_keep_their_own_cakes(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana, ben = phone("whatsapp:+14155550100"), phone("+447911123456", profile_name="Ben")
    for mine, theirs in zip(
        (*HAPPY, "yes", "Ana", "ana@example.com"),
        (
            "hello",
            "small",
            "chocolate",
            "buttercream",
            "none",
            "2",
            "Happy birthday Ben",
            "y",
            "Ben",
            "ben@example.co.uk",
        ),
        strict=True,
    ):
        ana.say(mine)
        ben.say(theirs)
    first, second = orders(session)
    assert (first.customer.name, first.size, first.price_cents) == ("Ana", "Large", 4800)
    assert (second.customer.name, second.size, second.price_cents) == ("Ben", "Small", 2000)
    assert second.customer.phone == "+447911123456"
    assert (first.inscription, second.inscription) == (None, "Happy birthday Ben")


def switch_off(session: orm.Session, name: str) -> None:
    """Take an option off the menu, as a baker would in the admin."""
    option = session.scalars(sa.select(MenuOption).where(MenuOption.name == name)).one()
    option.active = False
    session.commit()


def test_questions_list_only_what_is_on_the_menu_now(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    switch_off(session, "Lemon")
    ana = phone()
    flavours = ana.order("hi", "large")
    assert "Lemon" not in flavours
    assert "4. Carrot" in flavours
    assert "didn't catch that" in ana.say("lemon")


def test_an_option_switched_off_mid_order_is_asked_again(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes", "Ana")
    switch_off(session, "Red Velvet")
    again = ana.say("ana@example.com")
    assert "Red Velvet isn't available any more" in again
    assert "Which flavour?" in again
    assert orders(session) == []
    assert "Large Chocolate cake" in ana.say("chocolate")
    assert "Done!" in ana.order("yes", "Ana", "ana@example.com")
    assert orders(session)[0].price_cents == 4500


def test_a_price_changed_mid_order_is_the_one_quoted(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order("hi", "large", "chocolate")  # every question so far has read the menu
    session.execute(
        sa.update(MenuOption).where(MenuOption.name == "Large").values(price_cents=5000)
    )
    session.commit()
    assert "And a topping?" in ana.say("buttercream")
    ana.order("none", "1")
    assert "$50.00" in ana.say("no")
    assert "Done!" in ana.order("yes", "Ana", "ana@example.com")
    assert orders(session)[0].price_cents == 5000


def test_an_option_added_mid_order_is_offered_at_the_next_question(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order("hi", "large", "chocolate")
    session.add(MenuOption(kind=OptionKind.TOPPING, key="nuts", name="Nuts", price_cents=50))
    session.commit()
    assert "Nuts" in ana.say("buttercream")
    assert "Done!" in ana.order("nuts", "1", "no", "yes", "Ana", "ana@example.com")
    assert orders(session)[0].price_cents == 4250


SMS_SEGMENT = 160  # one GSM-7 SMS; longer texts are sent (and billed) as 153-character parts


def test_replies_fit_one_sms_where_they_can(phone: Callable[..., Phone]) -> None:
    ana = phone("+14155550100")
    replies = [ana.say(answer) for answer in (*HAPPY, "no", "topping", "none", "yes", "Ana")]
    replies += [ana.say("ana@example.com"), ana.say("status"), ana.say("cancel")]
    replies += [ana.say(answer) for answer in ("hi", "enormous", "huge", "giant")]
    # The confirmation reads back the writing on the cake and the note, and says what the cake
    # contains (owed before the order is placed): two parts at most.
    confirms = [reply for reply in replies if "Shall we place the order?" in reply]
    assert len(confirms) == 2
    assert all(len(reply) <= 2 * 153 for reply in confirms)
    others = [reply for reply in replies if reply not in confirms]
    assert all(len(reply) <= SMS_SEGMENT for reply in others), [
        reply for reply in others if len(reply) > SMS_SEGMENT
    ]
    assert "HELP" in replies[-1]
    # The whole menu with prices, each option's allergens (owed before an order is placed, in
    # the UK and EU) and the question.
    assert len(ana.say("menu")) <= 6 * 153
    assert len(ana.say("help")) <= 2 * 153
