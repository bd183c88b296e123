"""The receipt and the invoice say what is written on the cake and the customer's note."""

from __future__ import annotations

from collections.abc import Callable

from cloudcity.documents import InvoiceData, render_invoice_pdf, render_receipt_email

MakeInvoice = Callable[..., InvoiceData]
ReadPdf = Callable[[bytes], str]

HOSTILE_NAME = '<img src=x onerror="alert(1)"> Ada'
HOSTILE_WORDS = '<b>Happy</b> 7th & "more"'


def test_the_receipt_quotes_the_inscription_and_repeats_the_note(
    make_invoice: MakeInvoice,
) -> None:
    email = render_receipt_email(make_invoice(inscription="Happy 7th, Zoë!", note="no nuts please"))
    assert "Written on it</th>" in email.html
    assert "\u201c<bdi>Happy 7th, Zoë!</bdi>\u201d" in email.html
    for words in ("Written on it", "\u201cHappy 7th, Zoë!\u201d", "Your note", "no nuts please"):
        assert words in email.text


def test_html_typed_by_the_customer_is_text_in_the_receipt(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice(customer_name=HOSTILE_NAME, inscription=HOSTILE_WORDS, note="<i>x</i>")
    email = render_receipt_email(invoice)
    for markup in ("<img", "<b>Happy", "<i>x"):
        assert markup not in email.html
    assert '&lt;b&gt;Happy&lt;/b&gt; 7th &amp; "more"' in email.html
    assert "&lt;img src=x" in email.html
    assert '\u201c<b>Happy</b> 7th & "more"\u201d' in email.text  # plain text: as typed


def test_right_to_left_words_are_kept_whole(make_invoice: MakeInvoice, read_pdf: ReadPdf) -> None:
    invoice = make_invoice(inscription="عيد ميلاد سعيد")
    email = render_receipt_email(invoice)
    assert "<bdi>عيد ميلاد سعيد</bdi>" in email.html
    assert "عيد ميلاد سعيد" in email.text
    text = read_pdf(render_invoice_pdf(invoice))
    assert "Written on it" in text
    assert "عيد ميلاد سعيد" in text  # the words themselves, whole and in reading order


def test_nothing_written_and_no_note_add_nothing(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    invoice = make_invoice()
    email = render_receipt_email(invoice)
    assert "Written on it" not in email.html and "Your note" not in email.text
    text = read_pdf(render_invoice_pdf(invoice))
    assert "Written on it" not in text and "Note:" not in text


def test_the_invoice_prints_customer_text_as_typed(
    make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    invoice = make_invoice(customer_name=HOSTILE_NAME, inscription=HOSTILE_WORDS, note="<i>x</i>")
    text = read_pdf(render_invoice_pdf(invoice))
    assert HOSTILE_NAME in text
    assert 'Written on it: \u201c<b>Happy</b> 7th & "more"\u201d' in text
    assert "Customer's note: <i>x</i>" in text
