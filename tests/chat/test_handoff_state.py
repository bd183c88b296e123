"""The handoff state: a conversation given to staff and back, and how long the bot keeps quiet."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from cloudcity import handoff
from cloudcity.db import Database
from cloudcity.db.repositories.values import ConversationState
from tests.support.chat import Phone
from tests.support.clock import TUESDAY_10AM

ADDRESS = "whatsapp:+14155550100"
QUIET = timedelta(hours=4)


def _state(database: Database, address: str = ADDRESS) -> ConversationState:
    with database.unit_of_work() as uow:
        return uow.conversations.locked(address=address, now=TUESDAY_10AM)


def test_a_conversation_handed_off_keeps_its_first_time_and_reason(database: Database) -> None:
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=ADDRESS, reason="asked for a person", now=TUESDAY_10AM)
    later = TUESDAY_10AM + timedelta(minutes=5)
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=ADDRESS, reason="again", now=later)

    state = _state(database)
    assert state.handoff_at == TUESDAY_10AM
    assert state.handoff_reason == "asked for a person"


def test_handing_back_clears_the_handoff(database: Database) -> None:
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=ADDRESS, reason="x" * 500, now=TUESDAY_10AM)
    assert len(_state(database).handoff_reason or "") == handoff.REASON_MAX
    with database.unit_of_work() as uow:
        handoff.hand_back(uow=uow, address=ADDRESS, now=TUESDAY_10AM)

    state = _state(database)
    assert (state.handoff_at, state.handoff_reason) == (None, None)


def test_the_bot_is_quiet_for_a_while_after_the_handoff_and_each_staff_reply(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=ADDRESS, reason="help", now=TUESDAY_10AM)
    state = _state(database)
    assert handoff.bot_is_quiet(state, now=TUESDAY_10AM + QUIET - timedelta(seconds=1), quiet=QUIET)
    assert not handoff.bot_is_quiet(state, now=TUESDAY_10AM + QUIET, quiet=QUIET)

    replied = TUESDAY_10AM + timedelta(hours=3)
    with database.unit_of_work() as uow:
        uow.conversations.mark_staff_reply(address=ADDRESS, now=replied)
    state = _state(database)
    assert state.staff_reply_at == replied
    assert handoff.bot_is_quiet(state, now=TUESDAY_10AM + QUIET, quiet=QUIET)
    assert not handoff.bot_is_quiet(state, now=replied + QUIET, quiet=QUIET)


def test_a_conversation_the_bot_has_is_never_quiet(database: Database) -> None:
    assert not handoff.bot_is_quiet(_state(database), now=TUESDAY_10AM, quiet=QUIET)


def test_a_chat_message_keeps_the_handoff_and_the_staff_reply(
    database: Database, client: FlaskClient
) -> None:
    with database.unit_of_work() as uow:
        handoff.hand_off(uow=uow, address=ADDRESS, reason="help", now=TUESDAY_10AM)
        uow.conversations.mark_staff_reply(address=ADDRESS, now=TUESDAY_10AM)

    Phone(client, ADDRESS).send("hello")

    state = _state(database)
    assert (state.handoff_at, state.staff_reply_at) == (TUESDAY_10AM, TUESDAY_10AM)
