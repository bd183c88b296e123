"""The inscription and the customer's note on the order page, the schedule and the invoice PDF."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order
from tests.admin.calendar.conftest import THURSDAY_10AM, TUESDAY_10AM
from tests.documents.conftest import pdf_text
from tests.support.admin import AuthActions, place

HOSTILE_NAME = "<script>alert('name')</script> Bo"
HOSTILE_WORDS = '<b>Happy</b> "7th" & <img src=x>'
ESCAPED_WORDS = "&lt;b&gt;Happy&lt;/b&gt; &#34;7th&#34; &amp; &lt;img src=x&gt;"
NOTE = "Allergic to <nuts> & sesame"


@pytest.fixture
def written(session: orm.Session, auth: AuthActions) -> Order:
    """An order for Thursday with HTML in its name, inscription and note; logged in."""
    order = place(
        session,
        name=HOSTILE_NAME,
        pickup_at=THURSDAY_10AM,
        now=TUESDAY_10AM,
        inscription=HOSTILE_WORDS,
        note=NOTE,
    )
    auth.login()
    return order


def test_the_order_page_quotes_the_inscription_and_shows_the_note_in_red(
    client: FlaskClient, written: Order
) -> None:
    page = client.get(f"/admin/orders/{written.id}").get_data(as_text=True)
    assert f'id="inscription">&ldquo;<bdi>{ESCAPED_WORDS}</bdi>&rdquo;' in page
    assert "<b>Happy</b>" not in page and "<img src=x>" not in page
    assert '<dt class="customer-note">Customer&rsquo;s note</dt>' in page
    assert '<dd id="note" class="customer-note">Allergic to &lt;nuts&gt; &amp; sesame</dd>' in page
    assert "<script>alert" not in page
    with client.get("/static/admin/admin.css") as css:
        assert ".customer-note { color: var(--bad)" in css.get_data(as_text=True)


def test_an_order_with_nothing_written_says_so(
    client: FlaskClient, session: orm.Session, auth: AuthActions
) -> None:
    order = place(session, pickup_at=THURSDAY_10AM, now=TUESDAY_10AM)
    auth.login()
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert 'id="inscription"><span class="muted">nothing</span>' in page
    assert 'id="note"' not in page


def test_the_schedule_shows_what_to_write_and_the_note(
    client: FlaskClient, written: Order, session: orm.Session
) -> None:
    unarranged = place(
        session, phone="+14155550209", now=TUESDAY_10AM, inscription="עוד שנה", note="no nuts"
    )
    page = client.get("/admin/schedule?day=2026-12-03").get_data(as_text=True)
    row = page[page.index(f'id="order-{written.id}"') :]
    assert f"Written: &ldquo;<bdi>{ESCAPED_WORDS}</bdi>&rdquo;" in row
    assert '<div class="customer-note">Note: Allergic to &lt;nuts&gt; &amp; sesame</div>' in row
    assert "<b>Happy</b>" not in page
    arrange = page[page.index(f'id="arrange-{unarranged.id}"') :]
    assert "Written: &ldquo;<bdi>עוד שנה</bdi>&rdquo;" in arrange
    assert '<div class="customer-note">Note: no nuts</div>' in arrange


def test_the_invoice_pdf_prints_the_text_as_typed_never_as_markup(
    client: FlaskClient, written: Order
) -> None:
    response = client.get(f"/admin/orders/{written.id}/invoice.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "<script>alert('name')</script> Bo" in text
    assert 'Written on it: \u201c<b>Happy</b> "7th" & <img src=x>\u201d' in text
    assert "Customer's note: Allergic to <nuts> & sesame" in text
