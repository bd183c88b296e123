"""The receipt renderer the worker uses in production: `cloudcity.documents`.

`cloudcity.documents` pulls in WeasyPrint, which is slow to import, so it is loaded by name
when a worker is built, not when `cloudcity.outbox` is imported (the CLI stays quick).
"""

from __future__ import annotations

import importlib
from dataclasses import asdict
from typing import Any

from cloudcity.config import Settings
from cloudcity.outbox.ports import ReceiptFacts, RenderedReceipt


class RendererMissing(RuntimeError):
    """The documents package (receipt email and PDF invoice) is not installed."""


class DocumentsRenderer:
    """Renders receipts with `cloudcity.documents`, the shop taken from Settings."""

    def __init__(self, settings: Settings) -> None:
        self._documents = _documents()
        self._shop = self._documents.ShopInfo(
            name=settings.shop_name,
            address=settings.shop_address,
            email=settings.shop_email,
            phone=settings.shop_phone,
        )

    def render(self, facts: ReceiptFacts) -> RenderedReceipt:
        """The receipt email and PDF invoice for one order."""
        data = self._documents.InvoiceData(**asdict(facts), shop=self._shop)
        email = self._documents.render_receipt_email(data)
        return RenderedReceipt(
            subject=email.subject,
            html=email.html,
            text=email.text,
            pdf_filename=self._documents.invoice_filename(facts.order_id),
            pdf=self._documents.render_invoice_pdf(data),
        )


def _documents() -> Any:
    try:
        return importlib.import_module("cloudcity.documents")
    except ImportError as exc:
        raise RendererMissing(
            f"cannot render receipts: cloudcity.documents is not importable ({exc})"
        ) from exc
