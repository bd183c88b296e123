"""Receipt and invoice: the price by part, what the cake contains, the customer's words, paper."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

import pytest
from pypdf import PdfReader

from cloudcity.allergens import Allergen
from cloudcity.documents import InvoiceData, render_invoice_pdf, render_receipt_email
from cloudcity.documents.data import PriceLine
from tests.documents.conftest import SHOP

MakeInvoice = Callable[..., InvoiceData]
ReadPdf = Callable[[bytes], str]

LINES = (
    PriceLine("Size", "Medium", 3000),
    PriceLine("Flavour", "Red Velvet", 300),
    PriceLine("Frosting", "Cream Cheese", 200),
    PriceLine("Topping", "Fresh Berries", 450),
)
# Red Velvet (gluten, eggs, milk) + Cream Cheese (milk): the union, in the regulation's order.
CONTAINS = (Allergen.GLUTEN, Allergen.EGGS, Allergen.MILK)


@pytest.fixture
def full(make_invoice: MakeInvoice) -> InvoiceData:
    """The sample order with its price lines, allergens and the customer's words."""
    return make_invoice(
        lines=LINES,
        allergens=CONTAINS,
        may_contain="tree nuts",
        inscription='Happy 7th, "Zoë"!',
        note="No nuts please <b>really</b>",
    )


def page_points(pdf: bytes) -> tuple[int, int]:
    """The first page's width and height in points, rounded."""
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_email_breaks_the_price_down_and_lists_the_allergens(full: InvoiceData) -> None:
    email = render_receipt_email(full)
    text = email.text
    assert "- Size: Medium, $30.00\n- Flavour: Red Velvet, $3.00\n" in text
    assert "- Frosting: Cream Cheese, $2.00\n- Topping: Fresh Berries, $4.50\n" in text
    assert "Total: $39.50" in text
    assert "Contains: gluten, eggs, milk\nMay contain: tree nuts\n" in text
    assert "Contains: <strong>gluten, eggs, milk</strong>" in email.html
    assert "May contain: tree nuts" in email.html
    assert ">$4.50</td>" in email.html


def test_the_text_part_is_readable_text_not_a_table(full: InvoiceData) -> None:
    text = render_receipt_email(full).text
    assert "|" not in text
    assert "---" not in text
    assert "<" not in text.replace("<b>really</b>", "")  # only what the customer typed
    assert "\n\n\n" not in text
    assert "Your note: No nuts please <b>really</b>" in text


def test_the_customers_words_are_escaped_in_html_and_pdf(
    full: InvoiceData, read_pdf: ReadPdf
) -> None:
    html = render_receipt_email(full).html
    # Quotes in text need no escaping (the mail inliner writes them plain); markup does.
    assert '\u201c<bdi>Happy 7th, "Zo\u00eb"!</bdi>\u201d' in html
    assert "No nuts please &lt;b&gt;really&lt;/b&gt;" in html
    pdf = read_pdf(render_invoice_pdf(full))
    assert 'Written on it: \u201cHappy 7th, "Zo\u00eb"!\u201d' in pdf
    assert "Customer's note: No nuts please <b>really</b>" in pdf


def test_the_invoice_lists_each_part_with_its_price_and_the_allergens(
    full: InvoiceData, read_pdf: ReadPdf
) -> None:
    text = read_pdf(render_invoice_pdf(full))
    assert (
        "Size: Medium $30.00 Flavour: Red Velvet $3.00 Frosting: Cream Cheese $2.00 "
        "Topping: Fresh Berries $4.50 Total (USD) $39.50"
    ) in text
    assert "ALLERGENS Contains: gluten, eggs, milk May contain: tree nuts" in text


def test_a_cake_with_no_allergens_says_so(make_invoice: MakeInvoice) -> None:
    text = render_receipt_email(make_invoice(allergens=())).text
    assert "Contains: none of the 14 major allergens" in text
    assert "May contain" not in text


def test_an_older_order_shows_no_amounts_per_part_and_no_allergens(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    old = make_invoice()
    text = render_receipt_email(old).text
    assert "- Size: Medium\n" in text
    assert "Contains" not in text
    assert "On the cake" not in text
    assert "ALLERGENS" not in read_pdf(render_invoice_pdf(old))


def test_price_lines_must_add_up_to_the_total(make_invoice: MakeInvoice) -> None:
    with pytest.raises(ValueError, match="add up"):
        make_invoice(lines=LINES[:3])


@pytest.mark.parametrize(
    ("country", "points"),
    [("US", (612, 792)), ("CA", (612, 792)), ("GB", (595, 842)), ("DE", (595, 842))],
)
def test_the_paper_follows_the_shops_country(
    make_invoice: MakeInvoice, country: str, points: tuple[int, int]
) -> None:
    shop = replace(SHOP, country=country)
    assert page_points(render_invoice_pdf(make_invoice(shop=shop))) == points


def test_a_shop_of_unknown_country_prints_on_a4(make_invoice: MakeInvoice) -> None:
    assert page_points(render_invoice_pdf(make_invoice())) == (595, 842)
