"""The PDF invoice: an HTML template laid out by WeasyPrint, fetching only bundled files."""

from __future__ import annotations

import functools

from cloudcity.documents.data import InvoiceData
from cloudcity.documents.fetcher import BundledFilesFetcher
from cloudcity.documents.pdf_engine import HTML
from cloudcity.documents.templating import TEMPLATES_DIR, render


@functools.cache
def bundled_files_fetcher() -> BundledFilesFetcher:
    """The fetcher every invoice uses; it holds no per-document state."""
    return BundledFilesFetcher(TEMPLATES_DIR)


def render_invoice_pdf(data: InvoiceData) -> bytes:
    """The invoice for one order as PDF bytes."""
    html = HTML(
        string=render("invoice.html", data),
        base_url=TEMPLATES_DIR.as_uri() + "/",
        url_fetcher=bundled_files_fetcher(),
    )
    pdf: bytes = html.write_pdf()
    return pdf
