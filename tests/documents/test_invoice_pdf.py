"""The PDF invoice holds what a customer and a bookkeeper look for."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from cloudcity.documents import InvoiceData, invoice_filename, invoice_number, render_invoice_pdf

MakeInvoice = Callable[..., InvoiceData]
ReadPdf = Callable[[bytes], str]


def test_invoice_holds_order_customer_cake_and_amount(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    pdf = render_invoice_pdf(make_invoice())

    assert pdf.startswith(b"%PDF-")
    text = read_pdf(pdf)
    for expected in (
        "Cloud City Cake Company",
        "1 Cloud Lane, Bespin, CA 94000",
        "CC-000042",
        "Order #42",
        "Date of issue 24 November 2025",
        "Ada Lovelace",
        "ada@example.com",
        "+15555550100",
        "Size: Medium Flavour: Red Velvet Frosting: Cream Cheese Topping: Fresh Berries",
        "$39.50",
    ):
        assert expected in text


def test_invoice_loads_its_bundled_stylesheet_without_complaint(
    make_invoice: MakeInvoice, read_pdf: ReadPdf, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_invoice_pdf(make_invoice())

    assert "BILLED TO" in read_pdf(pdf)  # text-transform from invoice.css
    assert caplog.records == []


def test_amount_uses_the_orders_currency(make_invoice: MakeInvoice, read_pdf: ReadPdf) -> None:
    text = read_pdf(render_invoice_pdf(make_invoice(price_cents=123456, currency="EUR")))

    assert "€1,234.56" in text
    assert "Total (EUR)" in text


def test_unicode_customer_names_survive(make_invoice: MakeInvoice, read_pdf: ReadPdf) -> None:
    name = "Zoë Ñúñez-O'Brien & Søn"

    assert name in read_pdf(render_invoice_pdf(make_invoice(customer_name=name)))


def test_invoice_number_and_filename() -> None:
    assert invoice_number(42) == "CC-000042"
    assert invoice_number(1234567) == "CC-1234567"
    assert invoice_filename(42) == "cloud-city-invoice-42.pdf"


def test_invoice_data_refuses_naive_or_non_utc_times(make_invoice: MakeInvoice) -> None:
    with pytest.raises(ValueError, match="aware UTC"):
        make_invoice(placed_at=datetime(2025, 11, 24, 15, 30))
    with pytest.raises(ValueError, match="aware UTC"):
        make_invoice(placed_at=datetime(2025, 11, 24, tzinfo=timezone(timedelta(hours=2))))


def test_invoice_data_refuses_bad_money(make_invoice: MakeInvoice) -> None:
    with pytest.raises(TypeError, match="cents"):
        make_invoice(price_cents=39.5)
    with pytest.raises(ValueError, match="negative"):
        make_invoice(price_cents=-1)
    with pytest.raises(ValueError, match="3-letter"):
        make_invoice(currency="usd")
