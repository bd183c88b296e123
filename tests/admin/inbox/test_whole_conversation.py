"""A whole conversation, the customer by the signed webhook and the baker in the admin: an
order, thanks, a question, a person asked for in the customer's words, the baker's answer, the
conversation handed back, and a new order."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import ChatMessage, Order
from tests.admin.inbox.conftest import conversation_of
from tests.support.admin import AuthActions, thread_bodies
from tests.support.chat import WHOLE_ORDER, Phone
from tests.support.clock import FakeClock

FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')
SMALL_AGAIN = ("small", "vanilla", "buttercream", "none", "1", "no", "yes", "yes")


def transcript(session: orm.Session, address: str) -> list[str]:
    """Every message with the address, in order, as the database has it."""
    session.rollback()  # a fresh snapshot: the app wrote in sessions of its own
    query = sa.select(ChatMessage.body).where(ChatMessage.address == address)
    return list(session.scalars(query.order_by(ChatMessage.id)))


def orders(session: orm.Session) -> list[Order]:
    session.rollback()
    return list(session.scalars(sa.select(Order).order_by(Order.id)))


@pytest.mark.usefixtures("csrf")
def test_order_thanks_question_a_person_a_reply_handed_back_and_a_new_order(
    client: FlaskClient,
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    clock: FakeClock,
) -> None:
    ana = phone("whatsapp:+14155550100")
    assert "What size" in ana.say("hi")
    assert "Done!" in ana.order(*WHOLE_ORDER)
    clock.advance(minutes=2)
    assert ana.say("Thank you!").startswith("You're welcome, Ada!")
    clock.advance(minutes=30)
    assert "didn't catch that" not in ana.say("when can I pick it up?")
    handed = ana.say("Can I talk to a person please?")
    assert "answer you here" in handed
    clock.advance(minutes=5)
    assert ana.send("It's about the candles") is None  # with staff: the bot keeps quiet

    auth.login()
    conversation = conversation_of(session, ana.address)
    assert conversation.handoff_at is not None
    path = f"/admin/inbox/{conversation.id}"
    assert ana.address in client.get("/admin/inbox").get_data(as_text=True).split('id="waiting"')[1]
    assert client.get("/admin/inbox/waiting.json").json == {"waiting": 1}

    page = client.get(path).get_data(as_text=True)
    key = FORM_KEY.search(page)
    assert key is not None
    form = {"body": "Hi Ada, we'll add candles.\nHow many?", "form_key": key.group(1)}
    assert client.post(f"{path}/reply", data=form).status_code == 400  # no CSRF token
    assert auth.post(f"{path}/reply", data=form).status_code == 302
    assert client.get("/admin/inbox/waiting.json").json == {"waiting": 0}
    clock.advance(minutes=3)
    assert ana.send("Six please") is None  # the baker has the conversation

    assert auth.post(f"{path}/hand-back").status_code == 302
    assert conversation_of(session, ana.address).handoff_at is None
    back = ana.say("I'd like another cake")
    assert back.startswith("Thanks for waiting! You're chatting with our assistant again.")
    assert "Done!" in ana.order(*SMALL_AGAIN)
    assert len(orders(session)) == 2

    # The inbox shows the whole conversation, each message once and in the order it came.
    said = transcript(session, ana.address)
    assert thread_bodies(client, conversation.id) == said
    assert said.count("Hi Ada, we'll add candles.\nHow many?") == 1
    assert said.index("It's about the candles") < said.index("Six please")
