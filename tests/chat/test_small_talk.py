"""Small talk around an order: a greeting at the name question, goodbyes and thanks after it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import orm

from tests.chat.test_conversation import HAPPY, orders
from tests.support.chat import Phone

ORDERED = (*HAPPY, "yes", "Ana", "ana@example.com")
NAME_QUESTION = "What name should we put on the order?"
THREE_CHOICES = "1. Order a cake\n2. Check an order\n3. Talk to a person"


@pytest.mark.parametrize("greeting", ["hi", "Hello!", "hey", "good morning"])
def test_a_greeting_at_the_name_question_is_not_the_name(
    phone: Callable[..., Phone], session: orm.Session, greeting: str
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes")
    again = ana.say(greeting)
    assert again.startswith("Hi! We're in the middle of your order")
    assert again.endswith(NAME_QUESTION)
    assert "Thanks," not in again
    assert ana.say("Ana Baker").startswith("Thanks, Ana Baker!")
    assert "Done!" in ana.say("ana@example.com")
    assert orders(session)[0].customer.name == "Ana Baker"


@pytest.mark.parametrize("name", ["Ty", "Cheers", "Hilary"])
def test_a_name_that_is_also_a_word_is_taken(phone: Callable[..., Phone], name: str) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes")
    assert ana.say(name).startswith(f"Thanks, {name}!")


@pytest.mark.parametrize(
    "goodbye", ["good night", "night", "Goodnight!", "see you", "See you soon x"]
)
def test_a_goodbye_after_an_order_gets_a_goodbye(
    phone: Callable[..., Phone], session: orm.Session, goodbye: str
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    answer = ana.say(goodbye)
    assert answer == "Bye, Ana! Text us any time you'd like a cake."
    assert "What size" not in ana.say("ok")  # still at rest, nothing offered
    assert len(orders(session)) == 1


@pytest.mark.parametrize("thanks", ["cheers", "Cheers mate!", "ta", "Ta very much"])
def test_cheers_and_ta_after_an_order_are_thanks(
    phone: Callable[..., Phone], session: orm.Session, thanks: str
) -> None:
    ana = phone()
    ana.order(*ORDERED)
    answer = ana.say(thanks)
    assert answer.startswith("You're welcome, Ana!")
    assert THREE_CHOICES not in answer
    assert "What size" not in answer
    assert ana.say("no").startswith("Okay!")
    assert len(orders(session)) == 1
