"""The receipt renderer the worker uses in production: `cloudcity.documents`."""

from __future__ import annotations

from dataclasses import asdict

from cloudcity import documents
from cloudcity.config import Settings
from cloudcity.outbox.ports import ReceiptFacts, RenderedReceipt


class DocumentsRenderer:
    """Renders receipts with `cloudcity.documents`, the shop taken from Settings."""

    def __init__(self, settings: Settings) -> None:
        self._shop = documents.ShopInfo(
            name=settings.shop_name,
            address=settings.shop_address,
            email=settings.shop_email,
            phone=settings.shop_phone,
        )

    def render(self, facts: ReceiptFacts) -> RenderedReceipt:
        """The receipt email and PDF invoice for one order."""
        data = documents.InvoiceData(**asdict(facts), shop=self._shop)
        email = documents.render_receipt_email(data)
        return RenderedReceipt(
            subject=email.subject,
            html=email.html,
            text=email.text,
            pdf_filename=documents.invoice_filename(facts.order_id),
            pdf=documents.render_invoice_pdf(data),
        )
