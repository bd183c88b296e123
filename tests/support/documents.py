"""A receipt email to send in provider tests, with a small PDF attached."""

from __future__ import annotations

from cloudcity.providers import Attachment, Email

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def receipt_email(to: str = "ada@example.com") -> Email:
    """An email like the receipt: HTML, text, a PDF, a category and custom args."""
    return Email(
        to=to,
        subject="Your Cloud City order #7",
        html="<h1>Thank you!</h1><p>Order <b>#7</b></p>",
        text="Thank you!\nOrder #7",
        attachments=(Attachment("cloud-city-invoice-7.pdf", "application/pdf", PDF),),
        categories=("receipt",),
        custom_args={"outbox_id": "12", "order_id": "7"},
    )
