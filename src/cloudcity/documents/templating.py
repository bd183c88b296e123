"""The Jinja environment for documents, built once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from cloudcity.documents.data import InvoiceData, invoice_number, issue_date, pickup_label
from cloudcity.money import format_money

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"


@functools.cache
def environment() -> jinja2.Environment:
    """Jinja for our HTML documents; autoescape is on because customer text is untrusted."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, data: InvoiceData, **extra: str) -> str:
    """Render one of the documents templates for an order (with `extra` values, if any)."""
    return environment().get_template(template).render(context(data) | extra)


def context(data: InvoiceData) -> dict[str, Any]:
    """What every document template can use."""
    return {
        "order": data,
        "shop": data.shop,
        "invoice_number": invoice_number(data.order_id),
        "issue_date": issue_date(data.placed_at, data.shop.time_zone),
        "pickup": pickup_label(data),
        "pickup_booked": data.pickup_start is not None,
        "amount": format_money(data.price_cents, data.currency),
    }
