"""The bot talks again when the quiet time after a handoff passes, but the customer still waits
in the inbox until staff answer them or hand the conversation back."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.chat import wording
from cloudcity.config import Settings
from tests.admin.inbox.conftest import conversation_of
from tests.admin.inbox.test_handoff import waiting_count, waiting_section
from tests.support.admin import AuthActions
from tests.support.chat import Phone
from tests.support.clock import FakeClock


def test_a_customer_nobody_answered_waits_though_the_bot_talks_again(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    settings: Settings,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("hi")
    assert "asked someone" in customer.say("talk to a person")
    assert customer.send("hello?") is None  # quiet: the message waits for staff
    clock.advance(minutes=settings.handoff_quiet_minutes + 1)
    answer = customer.say("is anyone there?")
    assert answer.startswith(wording.RESUMED)
    assert wording.RESUMED not in customer.say("hi")  # said once
    auth.login()
    assert waiting_count(client) == 1
    assert customer.address in waiting_section(client)

    conversation = conversation_of(session, customer.address)
    form = {"body": "Sorry for the wait! How can I help?", "form_key": "q" * 16}
    auth.post(f"/admin/inbox/{conversation.id}/reply", data=form)
    assert waiting_count(client) == 0
    assert customer.send("I'd like a cake for Sunday") is None  # quiet again after the reply


def test_asking_for_a_person_again_makes_the_bot_quiet_again(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    settings: Settings,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("talk to a person")
    clock.advance(minutes=settings.handoff_quiet_minutes + 1)
    customer.say("hello?")
    assert "asked someone" in customer.say("talk to a person")
    assert customer.send("still there?") is None
    auth.login()
    assert waiting_count(client) == 1


def test_once_staff_answered_the_bot_has_the_conversation_back(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    settings: Settings,
    clock: FakeClock,
) -> None:
    customer = phone("whatsapp:+14155550100")
    customer.say("talk to a person")
    auth.login()
    conversation = conversation_of(session, customer.address)
    form = {"body": "Hello! What can I do for you?", "form_key": "a" * 16}
    auth.post(f"/admin/inbox/{conversation.id}/reply", data=form)
    clock.advance(minutes=settings.handoff_quiet_minutes + 1)
    assert customer.say("all sorted, thanks").startswith(wording.RESUMED)
    assert conversation_of(session, customer.address).handoff_at is None
    assert customer.address not in waiting_section(client)
