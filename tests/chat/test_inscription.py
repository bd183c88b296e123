"""What is written on the cake and the customer's note, through the signed Twilio webhook."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db.models import Order
from tests.support.chat import Phone

CAKE = ("hi", "Small", "Vanilla", "Buttercream", "None", "1")  # up to the pickup time
DETAILS = ("yes", "Ana", "ana@example.com")


@pytest.fixture
def inscription_limit() -> int:
    """The most characters the shop pipes (a test may parametrize it)."""
    return 40


@pytest.fixture
def settings(settings: Settings, inscription_limit: int) -> Settings:
    """The chat settings with the shop's limit under test."""
    return settings.model_copy(update={"inscription_max_chars": inscription_limit})


def the_order(session: orm.Session) -> Order:
    """The one order placed, read fresh."""
    session.expire_all()
    order = session.scalars(sa.select(Order)).one()
    session.commit()
    return order


def test_the_pickup_is_followed_by_the_inscription_question(phone: Callable[..., Phone]) -> None:
    ana = phone()
    question = ana.order(*CAKE)
    assert question.startswith("Got it: pickup ")
    assert question.endswith("Anything written on the cake? (up to 40 characters, or 'no')")


def test_the_inscription_is_read_back_in_quotes_and_stored(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE)
    confirm = ana.say('Happy 7th "Zoë"!')
    assert 'Written on it: \u201cHappy 7th "Zoë"!\u201d' in confirm
    assert confirm.endswith("Shall we place the order? (yes/no)")
    done = ana.order(*DETAILS)
    assert "Done!" in done
    assert the_order(session).inscription == 'Happy 7th "Zoë"!'


@pytest.mark.parametrize("answer", ["no", "No thanks", "none", "skip", "nope"])
def test_no_means_nothing_written(
    phone: Callable[..., Phone], session: orm.Session, answer: str
) -> None:
    ana = phone()
    ana.order(*CAKE)
    assert "Nothing written on it." in ana.say(answer)
    ana.order(*DETAILS)
    assert the_order(session).inscription is None


def test_yes_asks_what_it_should_say(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*CAKE)
    assert ana.say("yes please") == "Lovely! What should it say?"
    assert "\u201cHi Bo\u201d" in ana.say("Hi Bo")


def test_emoji_are_refused_kindly_and_the_customer_types_again(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE)
    refused = ana.say("Happy birthday 🎂🎉")
    assert refused.startswith("Sorry, we can't pipe 🎂 🎉 on a cake.")
    assert "Anything written on the cake?" in refused
    assert "\u201cHappy birthday!\u201d" in ana.say("Happy birthday!")
    ana.order(*DETAILS)
    assert the_order(session).inscription == "Happy birthday!"


def test_an_inscription_over_the_limit_is_asked_again(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order(*CAKE)
    refused = ana.say("x" * 41)
    assert "That's 41 characters and we can fit 40 on the cake." in refused
    assert "\u201c" + "x" * 40 + "\u201d" in ana.say("x" * 40)


@pytest.mark.parametrize("inscription_limit", [12])
def test_the_limit_is_the_shops(phone: Callable[..., Phone]) -> None:
    ana = phone()
    assert "(up to 12 characters, or 'no')" in ana.order(*CAKE)
    assert "we can fit 12" in ana.say("Happy birthday")
    assert "\u201cHappy 7th Bo\u201d" in ana.say("Happy 7th Bo")


def test_right_to_left_words_are_read_back_whole(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE)
    words = "عيد ميلاد سعيد"
    confirm = ana.say(words)
    assert f"Written on it: \u201c\u2068{words}\u2069\u201d" in confirm
    ana.order(*DETAILS)
    assert the_order(session).inscription == words


def test_change_edits_the_inscription(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*CAKE, "Happy birthday Anan")
    offer = ana.say("no")
    assert "6. Inscription" in offer
    assert "Anything written on the cake?" in ana.say("inscription")
    confirm = ana.say("Happy birthday Anna")
    assert "\u201cHappy birthday Anna\u201d" in confirm
    assert "Anan" not in confirm
    ana.order(*DETAILS)
    assert the_order(session).inscription == "Happy birthday Anna"


def test_change_can_take_the_inscription_off(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE, "Hi", "no", "6")
    assert "Nothing written on it." in ana.say("no")
    ana.order(*DETAILS)
    assert the_order(session).inscription is None


def test_html_in_the_inscription_is_kept_as_text(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE)
    assert "\u201c<b>Hi</b> & bye\u201d" in ana.say("<b>Hi</b> & bye")
    ana.order(*DETAILS)
    assert the_order(session).inscription == "<b>Hi</b> & bye"


def test_a_note_at_any_step_is_kept_and_read_back(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order("hi", "Small")
    noted = ana.say("note: I'm allergic to nuts")
    assert noted.startswith("Noted for the bakers: \u201cI'm allergic to nuts\u201d")
    assert "Which flavour?" in noted
    ana.order("Vanilla", "Buttercream", "None", "1")
    also = ana.say("my son is allergic to sesame too")
    assert "Anything written on the cake?" in also  # the question is asked again
    confirm = ana.say("no")
    note = "I'm allergic to nuts; my son is allergic to sesame too"
    assert f"Note for the bakers: \u201c{note}\u201d" in confirm
    ana.order(*DETAILS)
    assert the_order(session).note == note


def test_the_first_message_may_carry_the_note(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    first = ana.say("Hi! Allergy warning: no peanuts at all")
    assert first.startswith(
        "Noted for the bakers: \u201cHi! Allergy warning: no peanuts at all\u201d"
    )
    assert "What size would you like?" in first
    ana.order("Small", "Vanilla", "Buttercream", "None", "1", "no", *DETAILS)
    assert the_order(session).note == "Hi! Allergy warning: no peanuts at all"


def test_a_bare_note_asks_for_it_and_comes_back(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE, "no")
    assert "Any allergy? Send NOTE and tell us." in ana.say("hmm")
    assert "What should we tell the bakers" in ana.say("note")
    confirm = ana.say("no nuts please")
    assert confirm.startswith("Noted for the bakers: \u201cno nuts please\u201d")
    assert "Shall we place the order?" in confirm
    ana.order(*DETAILS)
    assert the_order(session).note == "no nuts please"


def test_change_replaces_or_clears_the_note(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE, "no", "note: no nuts", "no", "7")
    cleared = ana.say("none")
    assert cleared.startswith("Okay, no note for the bakers.")
    assert "Any allergy? Send NOTE" in cleared
    assert "What should we tell the bakers" in ana.order("no", "note")
    assert "\u201cgluten free please\u201d" in ana.say("gluten free please")
    ana.order(*DETAILS)
    assert the_order(session).note == "gluten free please"


def test_after_confirming_a_note_word_is_just_an_answer(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE, "no", "yes")
    assert "email" in ana.say("Note Allergy")  # a (strange) name, not a note
    ana.say("ana@example.com")
    order = the_order(session)
    assert (order.customer.name, order.note) == ("Note Allergy", None)


def test_help_and_menu_say_how_to_leave_a_note(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    assert "Send NOTE and your words" in ana.say("help")
    assert "Send NOTE and your words" in ana.say("menu")


def test_a_note_too_long_is_refused(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order(*CAKE)
    refused = ana.say("note " + "n" * 501)
    assert refused.startswith("Please keep the note to 500 characters.")
    assert "Anything written on the cake?" in refused
