"""Receipt and invoice show the pickup slot and the shop's address, on the shop's clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cloudcity.calendar.display import booked_label
from cloudcity.calendar.rules import default_rules
from cloudcity.documents import InvoiceData, render_invoice_pdf, render_receipt_email
from cloudcity.documents.data import pickup_label

MakeInvoice = Callable[..., InvoiceData]
ReadPdf = Callable[[bytes], str]

SATURDAY_2PM = datetime(2026, 12, 12, 22, 0, tzinfo=UTC)  # 14:00 in Los Angeles
HALF_PAST = datetime(2026, 12, 12, 22, 30, tzinfo=UTC)
SLOT = "Saturday 12 Dec, 14:00\u201314:30"
ADDRESS = "1 Cloud Lane, Bespin, CA 94000"
TO_ARRANGE = "Pickup to arrange \u2014 we'll be in touch"


@pytest.fixture
def booked(make_invoice: MakeInvoice) -> InvoiceData:
    """The sample order with a pickup on Saturday 12 Dec at 14:00, Los Angeles time."""
    return make_invoice(pickup_start=SATURDAY_2PM, pickup_end=HALF_PAST)


def test_the_receipt_email_shows_the_pickup_slot_and_address(booked: InvoiceData) -> None:
    email = render_receipt_email(booked)
    for part in (email.html, email.text):
        assert f"Your pickup: {SLOT}" in part.replace("<strong>", "").replace("</strong>", "")
        assert f"ready for pickup at {ADDRESS}" in part.replace("&#39;", "'")
    assert "UTC" not in email.text


def test_the_plain_text_reads_as_sentences(booked: InvoiceData) -> None:
    text = render_receipt_email(booked).text
    assert f"\nYour pickup: {SLOT}\n" in text
    assert "<" not in text


def test_without_a_pickup_the_receipt_says_it_is_to_arrange(make_invoice: MakeInvoice) -> None:
    email = render_receipt_email(make_invoice())
    assert f"{TO_ARRANGE} to agree a time." in email.text
    assert "Pickup to arrange" in email.html
    assert "Your pickup" not in email.text


def test_the_invoice_shows_the_pickup_slot_and_address(
    booked: InvoiceData, read_pdf: ReadPdf
) -> None:
    text = read_pdf(render_invoice_pdf(booked))
    assert f"PICKUP {SLOT} Cloud City Cake Company, {ADDRESS}" in text


def test_the_invoice_of_an_order_to_arrange_says_so(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    text = read_pdf(render_invoice_pdf(make_invoice()))
    assert f"PICKUP {TO_ARRANGE}" in text


def test_the_date_of_issue_is_the_shops_date(make_invoice: MakeInvoice, read_pdf: ReadPdf) -> None:
    evening = datetime(2025, 11, 25, 3, 0, tzinfo=UTC)  # Monday 24 Nov, 19:00 in Los Angeles
    text = read_pdf(render_invoice_pdf(make_invoice(placed_at=evening)))
    assert "Date of issue 24 November 2025" in text


def test_a_shop_far_from_utc_shows_its_own_dates(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    invoice = make_invoice(pickup_start=SATURDAY_2PM, pickup_end=HALF_PAST)
    auckland = replace(invoice, shop=replace(invoice.shop, time_zone=ZoneInfo("Pacific/Auckland")))
    text = read_pdf(render_invoice_pdf(auckland))
    assert "Date of issue 25 November 2025" in text  # 15:30 UTC on the 24th is 04:30 on the 25th
    assert "Sunday 13 Dec, 11:00\u201311:30" in text


def test_the_documents_label_a_slot_as_the_calendar_does(make_invoice: MakeInvoice) -> None:
    spring = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)  # the day the clocks change
    for start in (SATURDAY_2PM, spring):
        rules = default_rules("America/Los_Angeles")
        slot_end = start + rules.slot_length
        invoice = make_invoice(pickup_start=start, pickup_end=slot_end)
        assert pickup_label(invoice) == booked_label(start, rules=rules)


def test_a_pickup_needs_both_ends_in_utc(make_invoice: MakeInvoice) -> None:
    with pytest.raises(ValueError, match="both"):
        make_invoice(pickup_start=SATURDAY_2PM)
    with pytest.raises(ValueError, match="after"):
        make_invoice(pickup_start=HALF_PAST, pickup_end=SATURDAY_2PM)
    local = SATURDAY_2PM.astimezone(ZoneInfo("America/Los_Angeles"))
    with pytest.raises(ValueError, match="pickup_start must be an aware UTC"):
        make_invoice(pickup_start=local, pickup_end=HALF_PAST)
