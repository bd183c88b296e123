"""What the worker needs from the documents package, in its own terms.

The worker depends on this small interface; `receipts.DocumentsRenderer` adapts
`cloudcity.documents` to it, and tests hand in a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cloudcity.documents import InvoiceData
from cloudcity.providers.ports import EmailSender, MessageSender


@dataclass(frozen=True)
class RenderedReceipt:
    """A receipt ready to send: the email's parts and the PDF invoice."""

    subject: str
    html: str
    text: str
    pdf_filename: str
    pdf: bytes


class ReceiptRenderer(Protocol):
    """Turns an order's invoice data into the receipt email and its PDF invoice."""

    def render(self, data: InvoiceData) -> RenderedReceipt:
        """Render the receipt for one order."""
        ...


class Senders(Protocol):
    """The two senders a worker sends through (`cloudcity.providers.Providers` is one)."""

    @property
    def email(self) -> EmailSender:
        """Sends emails."""
        ...

    @property
    def messages(self) -> MessageSender:
        """Sends WhatsApp and SMS messages."""
        ...
