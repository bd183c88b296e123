"""Fixtures for the documents tests: a sample order, and PDF text read back with pypdf."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from cloudcity.documents import InvoiceData, ShopInfo

SHOP = ShopInfo(
    name="Cloud City Cake Company",
    address="1 Cloud Lane, Bespin, CA 94000",
    email="orders@cloudcity.example",
    phone="+14155550123",
    time_zone=ZoneInfo("America/Los_Angeles"),
)

SAMPLE = InvoiceData(
    order_id=42,
    placed_at=datetime(2025, 11, 24, 15, 30, tzinfo=UTC),
    customer_name="Ada Lovelace",
    customer_email="ada@example.com",
    customer_phone="+15555550100",
    size="Medium",
    flavour="Red Velvet",
    frosting="Cream Cheese",
    topping="Fresh Berries",
    price_cents=3950,
    currency="USD",
    shop=SHOP,
)


@pytest.fixture
def make_invoice() -> Callable[..., InvoiceData]:
    """Build the sample order with some fields changed."""

    def make(**changes: Any) -> InvoiceData:
        return replace(SAMPLE, **changes)

    return make


def pdf_text(pdf: bytes) -> str:
    """Every page's text, runs of whitespace folded to one space (wrapping doesn't matter)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


@pytest.fixture
def read_pdf() -> Callable[[bytes], str]:
    """The text of a PDF, as a reader would copy it."""
    return pdf_text
