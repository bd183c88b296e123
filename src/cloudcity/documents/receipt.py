"""The receipt email: an HTML body with its CSS inlined for mail clients, and a text twin."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import css_inline

from cloudcity.documents.data import InvoiceData
from cloudcity.documents.templating import render


@dataclass(frozen=True)
class ReceiptEmail:
    """What the worker needs to send a receipt: subject, HTML body and plain-text body."""

    subject: str
    html: str
    text: str


@functools.cache
def inliner() -> css_inline.CSSInliner:
    """Moves <style> rules into style= attributes; never loads a stylesheet from the network."""
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False)


def render_receipt_email(data: InvoiceData) -> ReceiptEmail:
    """The receipt email for one order."""
    html = inliner().inline(render("email/receipt.html", data))
    return ReceiptEmail(
        subject=f"Your Cloud City cake order #{data.order_id}",
        html=html,
        # Its own template, not the HTML converted: a converted table is a markdown table.
        text=render("email/receipt.txt", data).strip() + "\n",
    )


def render_cancel_email(data: InvoiceData, *, reason: str) -> ReceiptEmail:
    """The email telling a customer their order was cancelled, with our reason as a sentence."""
    words = data.customer_name.split()
    first_name = words[0] if words else "there"
    html = inliner().inline(
        render("email/cancelled.html", data, reason=reason, first_name=first_name)
    )
    text = render("email/cancelled.txt", data, reason=reason, first_name=first_name)
    return ReceiptEmail(
        subject=f"Your Cloud City cake order #{data.order_id} has been cancelled",
        html=html,
        text=text.strip() + "\n",
    )
