"""Receipt email and PDF invoice rendering: data in, bytes out (no Flask, no models, no SDK)."""

from __future__ import annotations

from cloudcity.documents.data import InvoiceData, ShopInfo, invoice_filename, invoice_number
from cloudcity.documents.receipt import ReceiptEmail, render_cancel_email, render_receipt_email


def render_invoice_pdf(data: InvoiceData) -> bytes:
    """The invoice as PDF bytes; WeasyPrint loads on first use (a web worker rarely needs it)."""
    from cloudcity.documents.pdf import render_invoice_pdf as render

    return render(data)


__all__ = [
    "InvoiceData",
    "ReceiptEmail",
    "ShopInfo",
    "invoice_filename",
    "invoice_number",
    "render_cancel_email",
    "render_invoice_pdf",
    "render_receipt_email",
]
