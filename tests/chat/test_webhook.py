"""The Twilio Messaging webhook: signatures, retries, media, addresses and opt-outs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm
from twilio.request_validator import RequestValidator

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import ChatMessage, Conversation, Customer, Order, OutboxMessage
from cloudcity.fulfilment import mark_ready
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.queue import READY_MESSAGE
from cloudcity.outbox.worker import Worker
from cloudcity.web import create_app
from tests.support.chat import LOCAL_URL, TOKEN, Phone, signed_post
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

COMPLETE = (
    "hi",
    "large",
    "vanilla",
    "buttercream",
    "none",
    "1",
    "no",
    "yes",
    "Ana",
    "ana@example.com",
)


def count(session: orm.Session, model: type[object]) -> int:
    """Rows in a table, read in a transaction that ends at once (SQLite lets the app write)."""
    found = session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    session.commit()
    return found


def test_the_answer_is_twiml(phone: Callable[..., Phone], client: FlaskClient) -> None:
    params = phone().params("hi")
    signature = RequestValidator(TOKEN).compute_signature(LOCAL_URL, params)
    response = client.post(
        "/twilio/messages", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Response><Message>')


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "wrong"])
def test_a_bad_signature_is_refused_and_nothing_recorded(
    phone: Callable[..., Phone], client: FlaskClient, session: orm.Session, signature: str | None
) -> None:
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = client.post("/twilio/messages", data=phone().params("hi"), headers=headers)
    assert response.status_code == 403
    assert count(session, ChatMessage) == 0
    assert count(session, Customer) == 0
    assert count(session, Conversation) == 0


def test_a_signature_with_another_token_is_refused(
    phone: Callable[..., Phone], client: FlaskClient, session: orm.Session
) -> None:
    status, _ = signed_post(client, phone().params("hi"), token="another-token")
    assert status == 403
    assert count(session, ChatMessage) == 0


def test_tampered_fields_are_refused(
    phone: Callable[..., Phone], client: FlaskClient, session: orm.Session
) -> None:
    params = phone().params("hi")
    signature = RequestValidator(TOKEN).compute_signature(LOCAL_URL, params)
    params["Body"] = "STOP"
    response = client.post(
        "/twilio/messages", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert count(session, ChatMessage) == 0


@pytest.fixture
def public_client(settings: Settings, database: Database) -> FlaskClient:
    """An app that knows its public URL (behind ngrok or a load balancer)."""
    configured = settings.model_copy(update={"public_url": "https://cakes.example.com"})
    app: Flask = create_app(configured, database=database)
    return app.test_client()


def test_behind_a_public_url_the_signature_covers_the_public_url(
    public_client: FlaskClient,
) -> None:
    phone = Phone(public_client, "whatsapp:+14155550100", url=LOCAL_URL)
    status, _ = signed_post(public_client, phone.params("hi"), url=LOCAL_URL)
    assert status == 403
    phone.url = "https://cakes.example.com/twilio/messages"
    assert "What size" in phone.say("hi")


def test_a_retried_message_gets_the_same_reply_and_advances_once(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    first = ana.send("large", sid="SM" + "a" * 32)
    again = ana.send("large", sid="SM" + "a" * 32)
    assert again == first
    assert "Which flavour?" in first
    assert "Which frosting?" in ana.say("vanilla")
    assert count(session, ChatMessage) == 6


def test_a_retry_arriving_after_a_newer_message_changes_nothing(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    first = ana.send("large", sid="SM" + "c" * 32)
    assert first is not None
    assert "Which frosting?" in ana.say("vanilla")
    assert ana.send("large", sid="SM" + "c" * 32) == first
    state = session.scalars(sa.select(Conversation).where(Conversation.address == ana.address))
    conversation = state.one()
    assert (conversation.step, conversation.misses) == ("frosting", 0)
    assert conversation.data == {"size": "Large", "flavour": "Vanilla"}
    assert count(session, ChatMessage) == 6


def test_a_retried_final_message_places_one_order(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    ana.order(*COMPLETE[:-1])
    done = ana.send("ana@example.com", sid="SM" + "b" * 32)
    assert done is not None
    assert "Done!" in done
    assert ana.send("ana@example.com", sid="SM" + "b" * 32) == done
    assert count(session, Order) == 1


def test_a_picture_is_acknowledged_and_the_question_asked_again(
    phone: Callable[..., Phone],
) -> None:
    ana = phone()
    ana.say("hi")
    reply = ana.send("", media=1)
    assert reply is not None
    assert "Got your picture" in reply
    assert "What size" in reply
    captioned = ana.send("large", media=2)
    assert captioned is not None
    assert captioned.startswith("Got your pictures")
    assert "Which flavour?" in captioned  # the caption answered the question


def test_a_first_message_that_is_a_photo_still_gets_a_greeting(
    phone: Callable[..., Phone],
) -> None:
    reply = phone().send("", media=1)
    assert reply is not None
    assert "Got your picture" in reply
    assert "Welcome" in reply


def test_an_empty_message_asks_again(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.order("hi", "small")
    reply = ana.say("   ")
    assert "only read text" in reply
    assert "Which flavour?" in reply


@pytest.mark.parametrize(
    ("address", "channel"), [("whatsapp:+14155550100", "whatsapp"), ("+14155550100", "sms")]
)
def test_sms_and_whatsapp_both_order(
    phone: Callable[..., Phone], session: orm.Session, address: str, channel: str
) -> None:
    phone(address).order(*COMPLETE)
    order = session.scalars(sa.select(Order)).one()
    assert order.customer.phone == "+14155550100"
    assert order.customer.channel == channel
    assert order.customer.address == address
    assert session.scalars(sa.select(Conversation.address)).one() == address


def test_an_unreadable_sender_gets_a_polite_error(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    reply = phone("whatsapp:not-a-number").say("hi")
    assert "couldn't read the phone number" in reply
    assert count(session, Customer) == 0


def test_missing_fields_do_not_crash(client: FlaskClient) -> None:
    status, reply = signed_post(client, {"Body": "hi"})
    assert status == 200
    assert reply is not None
    assert "couldn't read the phone number" in reply


def test_stop_opts_out_until_start(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone("+14155550100")
    ana.order("hi", "large")
    assert ana.send("STOP") is None
    customer = session.scalars(sa.select(Customer)).one()
    assert customer.opted_out
    session.commit()
    assert ana.send("hi") is None
    assert ana.send("help") is None
    assert ana.send("yes") is not None  # YES opts back in
    session.expire_all()
    assert not session.scalars(sa.select(Customer)).one().opted_out
    session.commit()
    assert ana.send("unsubscribe") is None
    back = ana.say("START")
    assert "Welcome back" in back
    assert "What size" in back
    assert ana.say("large").startswith("Which flavour?")
    inbound = session.scalars(sa.select(ChatMessage).where(ChatMessage.direction == "in"))
    expected = ["STOP", "hi", "help", "yes", "unsubscribe", "START", "large"]
    assert [m.body for m in inbound][-7:] == expected


def test_cancel_is_not_an_opt_out(phone: Callable[..., Phone], session: orm.Session) -> None:
    ana = phone()
    ana.order("hi", "large")
    assert "cancelled" in ana.say("cancel")
    assert not session.scalars(sa.select(Customer)).one().opted_out
    session.commit()
    assert "Welcome" in ana.say("hi")


SID = "SM" + "c" * 32
HOSTILE = {
    "a NUL in the body": {"Body": "lar\x00ge"},
    "control characters": {"Body": "\x07large\x1b", "ProfileName": "A\x00na"},
    "a MessageSid too long for its column": {"MessageSid": "SM" + "a" * 100},
    "a NUL in the MessageSid": {"MessageSid": "SM\x00" + "d" * 31},
    "no MessageSid": {"MessageSid": "", "SmsMessageSid": ""},
    "NumMedia that is no number": {"NumMedia": "abc"},
    "negative NumMedia": {"NumMedia": "-3"},
    "NumMedia with 5,000 digits": {"NumMedia": "9" * 5000},
    "a body far over Twilio's longest": {"Body": "large " * 2000},
    "a From of 300 characters": {"From": "whatsapp:+1" + "4" * 300},
    "a NUL in From": {"From": "+1415555\x000100"},
}


@pytest.mark.parametrize("fields", HOSTILE.values(), ids=HOSTILE.keys())
def test_any_form_a_client_sends_gets_an_answer_not_an_error(
    phone: Callable[..., Phone], client: FlaskClient, session: orm.Session, fields: dict[str, str]
) -> None:
    params = {**phone().params("large", sid=SID), **fields}
    status, reply = signed_post(client, params)
    assert status == 200
    assert reply
    for message in session.scalars(sa.select(ChatMessage)):
        assert "\x00" not in message.body
        assert len(message.body) <= 4096
        assert message.message_sid is None or len(message.message_sid) <= 64


def test_the_longest_whatsapp_message_is_answered(phone: Callable[..., Phone]) -> None:
    reply = phone().send("🎂" * 4096)  # ~48 KiB of form, over the app's general body limit
    assert reply is not None
    assert "What size" in reply


def test_a_body_that_is_not_utf8_is_answered(client: FlaskClient) -> None:
    raw = b"From=%2B14155550100&Body=%FF%FEhi&MessageSid=" + SID.encode()
    decoded = {"From": "+14155550100", "Body": "%FF%FEhi", "MessageSid": SID}  # as werkzeug reads
    signature = RequestValidator(TOKEN).compute_signature(LOCAL_URL, decoded)
    response = client.post(
        "/twilio/messages",
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200
    assert b"What size" in response.data


def test_another_senders_message_sid_never_replays_their_reply(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana, ben = phone("whatsapp:+14155550100"), phone("+447911123456", profile_name="Ben")
    ana.order(*COMPLETE[:-1])
    placed = ana.send("ana@example.com", sid=SID)
    assert placed is not None
    assert "Done!" in placed
    answer = ben.send("hi", sid=SID)
    assert answer is not None
    assert "Welcome" in answer
    assert "ana@example.com" not in answer
    assert count(session, Order) == 1


def test_a_forged_signature_changes_nothing_for_an_existing_customer(
    phone: Callable[..., Phone], client: FlaskClient, session: orm.Session
) -> None:
    ana = phone("+14155550100")
    ana.order("hi", "large")
    before = [(m.direction, m.body) for m in session.scalars(sa.select(ChatMessage))]
    session.commit()
    for body in ("STOP", "vanilla", "cancel"):
        forged = {**ana.params(body), "X": "1"}
        response = client.post(
            "/twilio/messages", data=forged, headers={"X-Twilio-Signature": "Zm9yZ2Vk"}
        )
        assert response.status_code == 403
    session.expire_all()
    assert [(m.direction, m.body) for m in session.scalars(sa.select(ChatMessage))] == before
    assert not session.scalars(sa.select(Customer)).one().opted_out
    assert session.scalars(sa.select(Conversation)).one().step == "flavour"
    session.commit()
    assert "Which frosting?" in ana.say("vanilla")


def test_a_customer_who_opted_out_by_chat_gets_no_ready_message(
    phone: Callable[..., Phone], database: Database, settings: Settings, session: orm.Session
) -> None:
    ana = phone("+14155550100")
    ana.order(*COMPLETE)
    assert ana.send("STOP") is None
    order_id = session.scalars(sa.select(Order.id)).one()
    session.commit()
    with database.unit_of_work() as work:
        mark_ready(uow=work, order_id=order_id, actor="baker", now=utcnow())
    texts, emails = FakeMessageSender(), FakeEmailSender()
    dispatcher = Dispatcher(
        email=emails, messages=texts, renderer=FakeRenderer(), settings=settings
    )
    Worker(
        database,
        dispatcher,
        settings,
        clock=FakeClock(utcnow() + timedelta(minutes=1)),
        jitter=lambda: 0.5,
    ).run_once()
    assert texts.attempts == []
    assert [email.to for email in emails.sent] == ["ana@example.com"]  # the receipt is email
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == READY_MESSAGE)
    ready = session.scalars(query).one()
    assert ready.last_error == "customer opted out"
    assert ready.status != "sent"


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cakes.example.com"}


@pytest.mark.parametrize(("trust_proxy", "expected"), [(True, 200), (False, 403)])
def test_behind_a_trusted_proxy_the_forwarded_url_is_the_signed_one(
    settings: Settings, database: Database, trust_proxy: bool, expected: int
) -> None:
    app = create_app(settings.model_copy(update={"trust_proxy": trust_proxy}), database=database)
    params = Phone(app.test_client(), "+14155550100").params("hi")
    public = "https://cakes.example.com/twilio/messages"
    signature = RequestValidator(TOKEN).compute_signature(public, params)
    response = app.test_client().post(
        "/twilio/messages", data=params, headers={"X-Twilio-Signature": signature, **FORWARDED}
    )
    assert response.status_code == expected
