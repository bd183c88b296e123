"""A customer asks us to delete their data by chat: staff confirm it; nothing is erased yet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.chat.matching import Intent, intent
from cloudcity.db.models import Conversation, Customer
from tests.chat.test_conversation import HAPPY
from tests.support.chat import Phone


@pytest.mark.parametrize(
    "text",
    [
        "Please delete my data",
        "can you erase my personal details?",
        "remove my information please",
        "Forget me.",
        "I want you to wipe my account",
    ],
)
def test_asking_to_delete_is_understood(text: str) -> None:
    assert intent(text) is Intent.FORGET_ME


@pytest.mark.parametrize("text", ["delete", "remove the sprinkles", "my data", "forget it"])
def test_other_messages_are_not_a_request_to_delete(text: str) -> None:
    assert intent(text) is not Intent.FORGET_ME


def test_the_request_goes_to_the_staff_inbox_and_erases_nothing(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*HAPPY, "yes", "Ana", "ana@example.com")

    reply = ana.say("Please delete my data")

    assert reply is not None and reply.startswith("We'll delete what we hold about you")
    session.expire_all()
    handed = session.scalars(
        sa.select(Conversation).where(Conversation.address == ana.address)
    ).one()
    assert handed.handoff_at is not None
    assert handed.handoff_reason == "asked us to delete their data"
    customer = session.scalars(sa.select(Customer)).one()
    assert (customer.name, customer.email) == ("Ana", "ana@example.com")
    assert ana.send("hello?") is None  # the bot keeps quiet while staff have it
