"""The receipt renderer the worker uses in production: `cloudcity.documents`."""

from __future__ import annotations

from cloudcity import documents
from cloudcity.metrics import PDF_RENDER
from cloudcity.outbox.ports import RenderedReceipt


class DocumentsRenderer:
    """Renders receipts with `cloudcity.documents`: the Jinja2 email and the WeasyPrint PDF."""

    def render(self, data: documents.InvoiceData) -> RenderedReceipt:
        """The receipt email and PDF invoice for one order."""
        email = documents.render_receipt_email(data)
        return RenderedReceipt(
            subject=email.subject,
            html=email.html,
            text=email.text,
            pdf_filename=documents.invoice_filename(data.order_id),
            pdf=self._pdf(data),
        )

    def _pdf(self, data: documents.InvoiceData) -> bytes:
        with PDF_RENDER.time():
            return documents.render_invoice_pdf(data)
