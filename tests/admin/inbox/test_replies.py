"""A baker answers from the inbox: through the outbox, once, inside WhatsApp's 24-hour window."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, OutboxMessage
from cloudcity.outbox.queue import STAFF_MESSAGE
from cloudcity.outbox.worker import Worker
from tests.admin.inbox.conftest import PUBLIC_URL, TEMPLATE_SID, conversation_of
from tests.support.admin import AuthActions
from tests.support.chat import Phone, status_callback
from tests.support.clock import FakeClock
from tests.support.fakes import FakeMessageSender
from tests.support.outbox import rows

FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def thread(client: FlaskClient, conversation_id: int) -> str:
    page = client.get(f"/admin/inbox/{conversation_id}").get_data(as_text=True)
    return html.unescape(page.split('id="thread"')[1].split("</ol>")[0])


def reply_form(client: FlaskClient, conversation_id: int) -> str:
    page = client.get(f"/admin/inbox/{conversation_id}").get_data(as_text=True)
    return html.unescape(page.split('id="reply"')[1].split("</section>")[0])


def form_key(client: FlaskClient, conversation_id: int) -> str:
    """The key of the reply form on the page (a made-up one when the page offers no form)."""
    found = FORM_KEY.search(client.get(f"/admin/inbox/{conversation_id}").get_data(as_text=True))
    return "made-up-form-key" if found is None else found.group(1)


def reply(
    auth: AuthActions, conversation_id: int, body: str = "", *, key: str | None = None, **form: str
) -> str:
    """Post the reply form as a baker would; the flash message shown after."""
    key = key or form_key(auth.client, conversation_id)
    data = {"body": body, "form_key": key, **form}
    response = auth.post(f"/admin/inbox/{conversation_id}/reply", data=data, follow_redirects=True)
    assert response.status_code == 200
    flashes = re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return html.unescape(" ".join(flashes))


def staff_lines(session: orm.Session) -> list[ChatMessage]:
    session.rollback()  # a fresh snapshot: the app wrote in sessions of its own
    query = sa.select(ChatMessage).where(ChatMessage.author.is_not(None)).order_by(ChatMessage.id)
    return list(session.scalars(query))


@pytest.fixture
def customer(phone: Callable[..., Phone]) -> Phone:
    """A WhatsApp customer who has just written (the window is open)."""
    found = phone("whatsapp:+14155550100")
    found.say("hi")
    return found


@pytest.mark.usefixtures("csrf")
def test_a_reply_goes_through_the_outbox_once_and_shows_once(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    session: orm.Session,
    database: Database,
    clock: FakeClock,
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    key = form_key(client, conversation.id)
    said = reply(auth, conversation.id, "Yes, we can!\nAny size you like.", key=key)
    assert "Sent" in said
    assert "already" in reply(auth, conversation.id, "Yes, we can!\nAny size you like.", key=key)
    (message,) = rows(database, STAFF_MESSAGE)
    assert message.recipient == customer.address and message.order_id is None
    assert message.payload == {"body": "Yes, we can!\nAny size you like.", "template": False}
    (line,) = staff_lines(session)
    assert (line.author, line.outbox_id, line.direction) == ("baker", message.id, "out")
    shown = thread(client, conversation.id)
    assert shown.count("Yes, we can!\nAny size you like.") == 1
    assert re.search(r'<li class="staff"[^>]*>\s*<span class="meta">baker', shown)
    assert "queued" in shown
    # Replying takes the conversation: the bot keeps quiet from now on.
    conversation = conversation_of(session, customer.address)
    assert conversation.handoff_at == clock.now and conversation.staff_reply_at == clock.now


@pytest.mark.usefixtures("csrf")
def test_a_reply_without_a_csrf_token_is_refused(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    session: orm.Session,
    database: Database,
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    form = {"body": "hello", "form_key": form_key(client, conversation.id)}
    response = client.post(f"/admin/inbox/{conversation.id}/reply", data=form)
    assert response.status_code == 400
    assert rows(database, STAFF_MESSAGE) == [] and staff_lines(session) == []


def test_an_empty_reply_or_a_missing_form_key_sends_nothing(
    auth: AuthActions, customer: Phone, session: orm.Session, database: Database
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    assert "write a message first" in reply(auth, conversation.id, "   ")
    assert "Reload the page" in reply(auth, conversation.id, "hello", key="no")
    assert "1600" in reply(auth, conversation.id, "x" * 1601)
    assert rows(database, STAFF_MESSAGE) == []
    assert (
        auth.post("/admin/inbox/999/reply", data={"body": "x", "form_key": "k" * 16}).status_code
        == 404
    )


def test_outside_the_window_only_the_template_goes(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    session: orm.Session,
    database: Database,
    clock: FakeClock,
    worker: Worker,
    fake_messages: FakeMessageSender,
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    clock.advance(hours=23, minutes=59)
    assert "<textarea" in reply_form(client, conversation.id)
    clock.advance(minutes=1)
    box = reply_form(client, conversation.id)
    assert "<textarea" not in box and "only accepts an approved template" in box
    assert "Send the template" in box
    assert "only accepts the approved template" in reply(auth, conversation.id, "Still there?")
    assert rows(database, STAFF_MESSAGE) == []

    assert "Sent" in reply(auth, conversation.id, template="1")
    (message,) = rows(database, STAFF_MESSAGE)
    assert message.payload["template"] is True
    assert "we have an answer to your message" in thread(client, conversation.id)
    assert worker.run_once() == 1
    (sent,) = fake_messages.sent
    assert (sent.to, sent.content_sid, sent.body) == (customer.address, TEMPLATE_SID, None)
    assert sent.content_variables == {"1": "there", "2": "Cloud City Cake Company"}


def test_an_sms_does_not_open_the_whatsapp_window(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    phone: Callable[..., Phone],
    session: orm.Session,
    database: Database,
    clock: FakeClock,
    worker: Worker,
    fake_messages: FakeMessageSender,
) -> None:
    auth.login()
    whatsapp = conversation_of(session, customer.address)
    clock.advance(hours=30)
    by_sms = phone("+14155550100")  # the same number, by SMS this time
    by_sms.say("are you there?")
    clock.advance(hours=1)
    box = reply_form(client, whatsapp.id)
    assert "<textarea" not in box and "only accepts an approved template" in box
    assert "only accepts the approved template" in reply(auth, whatsapp.id, "Yes, here!")
    assert rows(database, STAFF_MESSAGE) == []
    assert "<textarea" in reply_form(client, conversation_of(session, by_sms.address).id)

    assert "Sent" in reply(auth, whatsapp.id, template="1")
    assert worker.run_once() == 1
    (sent,) = fake_messages.sent
    assert (sent.to, sent.content_sid, sent.body) == (customer.address, TEMPLATE_SID, None)

    customer.send("hello again")  # on WhatsApp (to staff: the bot keeps quiet): window open
    assert "<textarea" in reply_form(client, whatsapp.id)
    assert "Sent" in reply(auth, whatsapp.id, "Great, your cake is ready")


def test_without_a_template_the_box_says_which_setting_to_set(
    client: FlaskClient, auth: AuthActions, customer: Phone, session: orm.Session, clock: FakeClock
) -> None:
    client.application.extensions["cloudcity"].settings = client.application.extensions[
        "cloudcity"
    ].settings.model_copy(update={"twilio_reply_content_sid": None})
    auth.login()
    conversation = conversation_of(session, customer.address)
    clock.advance(days=2)
    box = reply_form(client, conversation.id)
    assert "CLOUDCITY_TWILIO_REPLY_CONTENT_SID" in box and "Send the template" not in box
    assert "CLOUDCITY_TWILIO_REPLY_CONTENT_SID" in reply(auth, conversation.id, template="1")


def test_sms_has_no_window(
    auth: AuthActions,
    phone: Callable[..., Phone],
    session: orm.Session,
    database: Database,
    clock: FakeClock,
    worker: Worker,
    fake_messages: FakeMessageSender,
) -> None:
    customer = phone("+14155550123")
    customer.say("hi")
    auth.login()
    clock.advance(days=3)
    assert "Sent" in reply(auth, conversation_of(session, customer.address).id, "Your cake?")
    assert worker.run_once() == 1
    assert [(m.to, m.body) for m in fake_messages.sent] == [("+14155550123", "Your cake?")]


def test_an_opted_out_customer_gets_nothing(
    auth: AuthActions, customer: Phone, session: orm.Session, database: Database
) -> None:
    customer.send("STOP")
    auth.login()
    said = reply(auth, conversation_of(session, customer.address).id, "hello?")
    assert "opted out" in said and rows(database, STAFF_MESSAGE) == []


def test_delivery_status_shows_as_reports_arrive(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    session: orm.Session,
    database: Database,
    worker: Worker,
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    reply(auth, conversation.id, "On its way")
    assert worker.run_once() == 1
    (message,) = rows(database, STAFF_MESSAGE)
    sid = message.provider_message_id
    assert sid is not None and "sent" in thread(client, conversation.id)
    assert status_callback(client, sid, "delivered", public_url=PUBLIC_URL) == 204
    assert re.search(r'delivery-delivered">delivered<', thread(client, conversation.id))
    assert status_callback(client, sid, "read", public_url=PUBLIC_URL) == 204
    assert re.search(r'delivery-read">read<', thread(client, conversation.id))


def test_an_undelivered_message_shows_its_error_code_and_what_it_means(
    client: FlaskClient,
    auth: AuthActions,
    customer: Phone,
    session: orm.Session,
    database: Database,
    worker: Worker,
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    reply(auth, conversation.id, "On its way")
    reply(auth, conversation.id, "And a candle?")
    assert worker.run_once() == 2
    first, second = (message.provider_message_id or "" for message in rows(database))
    assert status_callback(client, first, "sent", public_url=PUBLIC_URL) == 204
    callback = {"public_url": PUBLIC_URL, "ErrorCode": "30003"}
    assert status_callback(client, first, "undelivered", **callback) == 204
    assert (
        status_callback(client, second, "failed", public_url=PUBLIC_URL, ErrorCode="99999") == 204
    )
    lines = thread(client, conversation.id).split("</li>")
    (undelivered,) = [line for line in lines if "On its way" in line]
    assert re.search(r'delivery-undelivered">undelivered<', undelivered)
    assert "error 30003: the phone is unreachable (switched off or out of coverage)" in undelivered
    (failed,) = [line for line in lines if "And a candle?" in line]
    assert re.search(r'delivery-failed">failed<', failed) and "error 99999" in failed
    assert "30003" not in failed


def test_a_failed_message_shows_why(
    client: FlaskClient, auth: AuthActions, customer: Phone, session: orm.Session
) -> None:
    auth.login()
    conversation = conversation_of(session, customer.address)
    reply(auth, conversation.id, "On its way")
    session.rollback()
    message = session.scalars(sa.select(OutboxMessage)).one()
    message.status, message.last_error = "failed", "Twilio error 63016: outside the window"
    session.commit()
    shown = thread(client, conversation.id)
    assert "failed" in shown and "error 63016" in shown


def test_the_chat_simulator_picks_up_staff_messages(
    client: FlaskClient, auth: AuthActions, customer: Phone, session: orm.Session
) -> None:
    start = client.get("/dev/chat/messages", query_string={"from": customer.address}).json
    assert start is not None and start["messages"] == [] and start["last_id"] > 0
    auth.login()
    reply(auth, conversation_of(session, customer.address).id, "Hello from the bakery")
    query = {"from": customer.address, "after": str(start["last_id"])}
    found = client.get("/dev/chat/messages", query_string=query).json
    assert found is not None
    assert [(m["body"], m["author"]) for m in found["messages"]] == [
        ("Hello from the bakery", "baker")
    ]
    query["after"] = str(found["last_id"])
    assert client.get("/dev/chat/messages", query_string=query).json["messages"] == []  # type: ignore[index]
    assert client.get("/dev/chat/messages", query_string={"from": "nobody"}).status_code == 422
