"""The receipt the worker sends for an order with a pickup: email and PDF on the shop's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.receipts import DocumentsRenderer
from cloudcity.outbox.worker import Worker
from tests.documents.conftest import pdf_text
from tests.reminders.conftest import open_every_day, place_for, use_calendar
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender

# Placed on Sunday 1 March 2026 at 01:30 in Auckland: 12:30 UTC on Saturday 28 February.
ORDERED = datetime(2026, 2, 28, 12, 30, tzinfo=UTC)
# Placed on Friday 27 February 2026 at 20:30 in Los Angeles: 04:30 UTC on the 28th.
ORDERED_LA = datetime(2026, 2, 28, 4, 30, tzinfo=UTC)
WEDNESDAY_NOON = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # Wednesday 4 March, 12:00 NZDT


def send_receipt(
    database: Database, settings: Settings, email: FakeEmailSender, *, at: datetime = ORDERED
) -> None:
    dispatcher = Dispatcher(
        email=email, messages=FakeMessageSender(), renderer=DocumentsRenderer(), settings=settings
    )
    Worker(database, dispatcher, settings, clock=FakeClock(at), lease=60.0).run_once()


def test_the_receipt_and_invoice_show_the_pickup_in_the_shops_zone(
    database: Database, settings: Settings
) -> None:
    use_calendar(database, open_every_day("Pacific/Auckland"), now=ORDERED)
    place_for(database, pickup_at=WEDNESDAY_NOON, now=ORDERED)
    email = FakeEmailSender()
    send_receipt(database, settings, email)
    [sent] = email.sent
    slot = "Wednesday 4 Mar, 12:00\u201312:30"
    assert f"Your pickup: {slot}" in sent.text
    assert f"<strong>{slot}</strong>" in sent.html
    invoice = pdf_text(sent.attachments[0].content)
    assert f"PICKUP {slot} Cloud City Cake Company, 1 Cloud Lane, Bespin, CA 94000" in invoice
    assert "Date of issue 1 March 2026" in invoice


def test_an_order_without_a_pickup_says_it_is_to_arrange(
    database: Database, settings: Settings
) -> None:
    use_calendar(database, open_every_day("America/Los_Angeles"), now=ORDERED_LA)
    place_for(database, pickup_at=None, now=ORDERED_LA)
    email = FakeEmailSender()
    send_receipt(database, settings, email, at=ORDERED_LA)
    [sent] = email.sent
    assert "Pickup to arrange \u2014 we'll be in touch" in sent.text
    assert "PICKUP Pickup to arrange" in pdf_text(sent.attachments[0].content)
    assert "Date of issue 27 February 2026" in pdf_text(sent.attachments[0].content)
