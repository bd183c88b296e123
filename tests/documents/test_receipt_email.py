"""The receipt email: friendly, complete, escaped, and styled inline for mail clients."""

from __future__ import annotations

import re
from collections.abc import Callable

from cloudcity.documents import InvoiceData, render_receipt_email

MakeInvoice = Callable[..., InvoiceData]

ORDER_DETAILS = ("Medium", "Red Velvet", "Cream Cheese", "Fresh Berries", "$39.50")


def test_subject_names_the_order(make_invoice: MakeInvoice) -> None:
    assert render_receipt_email(make_invoice()).subject == "Your Cloud City cake order #42"


def test_html_and_text_hold_the_order_details(make_invoice: MakeInvoice) -> None:
    email = render_receipt_email(make_invoice())

    for part in (email.html, email.text):
        for expected in (*ORDER_DETAILS, "#42", "Ada Lovelace", "1 Cloud Lane, Bespin, CA 94000"):
            assert expected in part
        assert "Thank you" in part
        assert "message you when it's ready for pickup" in part.replace("&#39;", "'")


def test_a_script_in_the_name_is_escaped_in_html_and_literal_in_text(
    make_invoice: MakeInvoice,
) -> None:
    name = 'Eve <script>alert("x")</script> <img src=x onerror=alert(1)>'

    email = render_receipt_email(make_invoice(customer_name=name))

    assert "<script" not in email.html
    assert "<img" not in email.html
    assert 'Eve &lt;script&gt;alert("x")&lt;/script&gt; &lt;img src=x' in email.html
    assert name in email.text


def test_css_is_inlined_for_mail_clients(make_invoice: MakeInvoice) -> None:
    html = render_receipt_email(make_invoice()).html

    assert "<style" not in html
    assert re.search(r'<h1 style="[^"]*color: #5b3a8c', html)
    assert re.search(r'<td style="[^"]*text-align: right[^"]*">\$39\.50</td>', html)
    assert re.search(r'<body style="[^"]*background-color', html)


def test_text_part_is_plain(make_invoice: MakeInvoice) -> None:
    text = render_receipt_email(make_invoice()).text

    assert "<" not in text
    assert "style=" not in text
    assert text.endswith("\n")
