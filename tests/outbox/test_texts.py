"""Ready and cancel texts: WhatsApp's 24-hour window, templates, SMS fallback, opt-outs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.queue import CANCEL_MESSAGE, READY_MESSAGE
from cloudcity.outbox.worker import Worker
from cloudcity.providers.ports import TextMessage
from tests.support.clock import FakeClock
from tests.support.fakes import FakeMessageSender, FakeRenderer
from tests.support.outbox import customer_wrote, enqueue_text, only, place, set_customer

TEMPLATE = "HX" + "0123456789abcdef" * 2
READY = (
    "Hi Ana, your cake (order #{id}) is ready for pickup at 1 Cloud Lane, Bespin, CA 94000. "
    "See you soon! — Cloud City Cake Company"
)


@pytest.fixture
def renderer() -> FakeRenderer:
    """Receipts are not what these tests are about: render them cheaply."""
    return FakeRenderer()


def ready_for(database: Database, clock: FakeClock, *, number: str, hours_ago: float | None) -> int:
    """An order whose customer last wrote `hours_ago` (None: never), with its ready message."""
    order_id = place(database, number=number)
    inbound = None if hours_ago is None else clock.now - timedelta(hours=hours_ago)
    customer_wrote(database, order_id, inbound)
    enqueue_text(database, order_id)
    return order_id


def send_texts(make_worker: Callable[..., Worker], settings: Settings | None = None) -> None:
    """Drain the outbox (receipts and texts) once."""
    make_worker(settings).run_once()


def without_ids(sent: list[TextMessage]) -> list[TextMessage]:
    """The texts as composed, without the outbox id each carries for its status callback."""
    return [replace(message, outbox_id=None) for message in sent]


def test_within_the_whatsapp_window_the_ready_message_is_free_text(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=23)
    send_texts(make_worker)
    assert without_ids(fake_messages.sent) == [
        TextMessage(to="whatsapp:+14155550100", body=READY.format(id=order_id))
    ]
    row = only(database, READY_MESSAGE)
    assert (row.status, row.provider_message_id) == ("sent", "SM-1")
    assert fake_messages.sent[0].outbox_id == row.id, "named in Twilio's status callback"


def test_outside_the_window_the_approved_template_is_used(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=25)
    send_texts(make_worker, settings.model_copy(update={"twilio_ready_content_sid": TEMPLATE}))
    assert without_ids(fake_messages.sent) == [
        TextMessage(
            to="whatsapp:+14155550100",
            content_sid=TEMPLATE,
            content_variables={"1": "Ana", "2": str(order_id)},
        )
    ]


def test_an_sms_from_the_same_number_does_not_open_the_whatsapp_window(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=25)
    customer_wrote(database, order_id, clock.now - timedelta(hours=1), address="+14155550100")
    send_texts(make_worker, settings.model_copy(update={"twilio_ready_content_sid": TEMPLATE}))
    [sent] = fake_messages.sent
    assert (sent.to, sent.content_sid, sent.body) == ("whatsapp:+14155550100", TEMPLATE, None)


def test_without_a_template_it_falls_back_to_sms_when_an_sms_number_is_set(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=None)
    send_texts(make_worker, settings.model_copy(update={"twilio_sms_from": "+14155550199"}))
    assert without_ids(fake_messages.sent) == [
        TextMessage(to="+14155550100", body=READY.format(id=order_id))
    ]


def test_without_template_or_sms_number_it_fails_saying_what_to_configure(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=48)
    send_texts(make_worker)
    row = only(database, READY_MESSAGE)
    assert row.status == "failed"
    assert "CLOUDCITY_TWILIO_READY_CONTENT_SID" in (row.last_error or "")
    assert "CLOUDCITY_TWILIO_SMS_FROM" in (row.last_error or "")
    assert without_ids(fake_messages.sent) == []


def test_sms_customers_always_get_text(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="+14155550100", hours_ago=None)
    send_texts(make_worker)
    assert without_ids(fake_messages.sent) == [
        TextMessage(to="+14155550100", body=READY.format(id=order_id))
    ]


def test_opted_out_customers_are_never_messaged(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = ready_for(database, clock, number="whatsapp:+14155550100", hours_ago=1)
    set_customer(database, order_id, opted_out=True)
    send_texts(make_worker)
    row = only(database, READY_MESSAGE)
    assert (row.status, row.last_error) == ("failed", "customer opted out")
    assert without_ids(fake_messages.sent) == []


def test_a_cancel_message_says_why_politely(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    clock: FakeClock,
) -> None:
    order_id = place(database, number="+14155550100", name="Ana Lima")
    enqueue_text(database, order_id, kind=CANCEL_MESSAGE, reason="our oven broke down.")
    send_texts(make_worker)
    [message] = fake_messages.sent
    assert message.to == "+14155550100"
    assert message.body == (
        f"Hi Ana, your cake order #{order_id} has been cancelled. Reason: Our oven broke down. "
        "We're sorry. If you have any questions, reply here or call us on +14155550123. "
        "— Cloud City Cake Company"
    )
    assert only(database, CANCEL_MESSAGE).status == "sent"
