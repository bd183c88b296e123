"""Receipt email and PDF invoice rendering: data in, bytes out (no Flask, no models, no SDK)."""

from cloudcity.documents.data import InvoiceData, ShopInfo, invoice_filename, invoice_number
from cloudcity.documents.pdf import render_invoice_pdf
from cloudcity.documents.receipt import ReceiptEmail, render_receipt_email

__all__ = [
    "InvoiceData",
    "ReceiptEmail",
    "ShopInfo",
    "invoice_filename",
    "invoice_number",
    "render_invoice_pdf",
    "render_receipt_email",
]
