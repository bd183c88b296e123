"""The Jinja environment for documents, built once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from cloudcity.allergens import words
from cloudcity.documents.data import (
    InvoiceData,
    invoice_number,
    issue_date,
    pickup_label,
)
from cloudcity.money import format_money

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"


@functools.cache
def environment() -> jinja2.Environment:
    """Jinja for our HTML documents; autoescape is on because customer text is untrusted."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Escape HTML; the plain-text twin of the email is text, where escaping would show.
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default=True),
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
        "paper_size": data.shop.paper_size,
        "lines": price_lines(data),
        "contains": None if data.allergens is None else words(data.allergens) or NONE_OF_THEM,
    }


NONE_OF_THEM = "none of the 14 major allergens"
LABELS = ("Size", "Flavour", "Frosting", "Topping")


def price_lines(data: InvoiceData) -> list[tuple[str, str, str]]:
    """Label, choice and amount per part of the cake; no amounts where none were kept."""
    if data.lines:
        money = data.currency
        return [(line.label, line.choice, format_money(line.cents, money)) for line in data.lines]
    chosen = (data.size, data.flavour, data.frosting, data.topping)
    return [(label, choice, "") for label, choice in zip(LABELS, chosen, strict=True)]
