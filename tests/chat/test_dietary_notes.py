"""Dietary wishes in the customer's own words ("no nuts please") become a note for the bakers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import Order
from tests.support.chat import Phone

CAKE = ("hi", "Small", "Vanilla", "Buttercream", "None", "1")  # up to the inscription question
DETAILS = ("yes", "Ana", "ana@example.com")
INSCRIPTION_QUESTION = "Anything written on the cake? (up to 40 characters, or 'no')"
CONFIRM_QUESTION = "Shall we place the order? (yes/no)"
WISHES = [
    "no nuts please",
    "nut free",
    "No dairy",
    "gluten free please",
    "vegan",
    "dairy-free",
    "We're vegan",
    "without eggs",
    "my daughter can\u2019t have peanuts",
    "Tree nut free please",
]


def the_order(session: orm.Session) -> Order:
    """The one order placed, read fresh."""
    session.expire_all()
    order = session.scalars(sa.select(Order)).one()
    session.commit()
    return order


@pytest.mark.parametrize("wish", WISHES)
def test_a_wish_at_the_inscription_step_is_a_note_not_the_inscription(
    phone: Callable[..., Phone], session: orm.Session, wish: str
) -> None:
    ana = phone()
    ana.order(*CAKE)
    answer = ana.say(wish)
    assert answer.startswith(f"Noted for the bakers: \u201c{wish}\u201d")
    assert answer.endswith(INSCRIPTION_QUESTION)  # the step's question again
    confirm = ana.say("Happy birthday Sam")
    assert "Written on it: \u201cHappy birthday Sam\u201d" in confirm
    assert f"Note for the bakers: \u201c{wish}\u201d" in confirm
    assert "Done!" in ana.order(*DETAILS)
    order = the_order(session)
    assert (order.inscription, order.note) == ("Happy birthday Sam", wish)


def test_a_wish_at_a_choice_step_is_a_note_and_no_miss(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order("hi", "Small")
    answer = ana.say("no nuts please")
    assert answer.startswith("Noted for the bakers: \u201cno nuts please\u201d")
    assert "didn't catch that" not in answer
    assert "Which flavour?" in answer
    for missed in ("pizza", "burger"):  # two misses more: with a miss counted, help would show
        assert "HELP" not in ana.say(missed)
    assert "Which frosting?" in ana.say("Vanilla")


def test_a_wish_at_the_confirm_step_is_added_and_confirm_asked_again(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*CAKE)
    ana.say("no")
    answer = ana.say("dairy free please")
    assert "Please reply YES" not in answer
    assert answer.startswith("Noted for the bakers: \u201cdairy free please\u201d")
    assert "Note for the bakers: \u201cdairy free please\u201d" in answer
    assert answer.endswith(CONFIRM_QUESTION)
    assert "Noted for the bakers: \u201cdairy free please; no nuts\u201d" in ana.say("no nuts")
    assert "Done!" in ana.order(*DETAILS)
    assert the_order(session).note == "dairy free please; no nuts"


@pytest.mark.parametrize(
    "words",
    ["No. 1 Mum", "Happy birthday Nuts", "Happy Vegan Day", "Go nuts!", "Mum, no more eggs!"],
)
def test_an_inscription_that_names_a_food_is_piped(
    phone: Callable[..., Phone], session: orm.Session, words: str
) -> None:
    ana = phone()
    ana.order(*CAKE)
    confirm = ana.say(words)
    assert f"Written on it: \u201c{words}\u201d" in confirm
    assert "Any allergy? Send NOTE and tell us." in confirm  # no note taken
    assert "Done!" in ana.order(*DETAILS)
    order = the_order(session)
    assert (order.inscription, order.note) == (words, None)


def test_a_question_about_an_allergen_is_not_a_note(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order("hi", "Small")
    assert "Noted" not in ana.say("is it nut free?")
