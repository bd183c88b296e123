"""The reminder's channel: WhatsApp text in the 24-hour window, else a template or SMS; STOP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from cloudcity.db import Database
from cloudcity.outbox.queue import PICKUP_REMINDER
from cloudcity.outbox.worker import Worker
from cloudcity.providers.ports import TextMessage
from tests.reminders.conftest import TEMPLATE, WHATSAPP, open_every_day, place_for, use_calendar
from tests.support.clock import FakeClock
from tests.support.fakes import FakeMessageSender
from tests.support.outbox import customer_wrote, only, set_customer

ORDERED = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # Tuesday 1 Dec, 10:00 PST
SATURDAY_2PM = datetime(2026, 12, 12, 22, 0, tzinfo=UTC)
FRIDAY_10AM = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
SLOT = "Saturday 12 Dec, 14:00\u201314:30"


@pytest.fixture
def order_id(database: Database) -> int:
    """An order placed on WhatsApp for Saturday 14:00, its customer last wrote `ORDERED`."""
    use_calendar(database, open_every_day("America/Los_Angeles"), now=ORDERED)
    found = place_for(database, pickup_at=SATURDAY_2PM, now=ORDERED, number=WHATSAPP)
    customer_wrote(database, found, ORDERED)
    return found


def send_at(make_worker: Callable[..., Worker], moment: datetime, **settings: object) -> None:
    make_worker(FakeClock(moment), **settings).run_once()


def reminders(fake_messages: FakeMessageSender) -> list[TextMessage]:
    return [m for m in fake_messages.sent if m.content_sid or "a reminder" in (m.body or "")]


def test_inside_the_window_it_is_a_whatsapp_text(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    order_id: int,
) -> None:
    customer_wrote(database, order_id, FRIDAY_10AM - timedelta(hours=2))
    send_at(make_worker, FRIDAY_10AM)
    [message] = reminders(fake_messages)
    assert message.to == WHATSAPP
    assert f"tomorrow, {SLOT}, at 1 Cloud Lane" in (message.body or "")


def test_outside_the_window_the_approved_reminder_template_is_used(
    make_worker: Callable[..., Worker], fake_messages: FakeMessageSender, order_id: int
) -> None:
    send_at(
        make_worker,
        FRIDAY_10AM,
        twilio_reminder_content_sid=TEMPLATE,
        twilio_ready_content_sid="HX" + "0" * 32,
    )
    (sent,) = reminders(fake_messages)
    assert sent == TextMessage(
        to=WHATSAPP,
        content_sid=TEMPLATE,
        content_variables={"1": "Ana", "2": str(order_id), "3": SLOT},
        outbox_id=sent.outbox_id,  # names its outbox row for status callbacks
    )
    assert sent.outbox_id is not None


def test_without_its_template_it_falls_back_to_sms(
    make_worker: Callable[..., Worker], fake_messages: FakeMessageSender, order_id: int
) -> None:
    send_at(make_worker, FRIDAY_10AM, twilio_sms_from="+14155550199")
    [message] = reminders(fake_messages)
    assert message.to == "+14155550100"
    assert message.content_sid is None


def test_without_template_or_sms_it_fails_naming_the_reminder_setting(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    order_id: int,
) -> None:
    send_at(make_worker, FRIDAY_10AM, twilio_ready_content_sid="HX" + "0" * 32)
    assert reminders(fake_messages) == []
    row = only(database, PICKUP_REMINDER)
    assert row.status == "failed"
    assert "CLOUDCITY_TWILIO_REMINDER_CONTENT_SID" in (row.last_error or "")
    assert "CLOUDCITY_TWILIO_READY_CONTENT_SID" not in (row.last_error or "")


def test_a_customer_who_sent_stop_is_not_reminded(
    database: Database,
    make_worker: Callable[..., Worker],
    fake_messages: FakeMessageSender,
    order_id: int,
) -> None:
    set_customer(database, order_id, opted_out=True)
    send_at(make_worker, FRIDAY_10AM, twilio_reminder_content_sid=TEMPLATE)
    assert fake_messages.sent == []
    row = only(database, PICKUP_REMINDER)
    assert (row.status, row.last_error) == ("failed", "customer opted out")
