"""Customer text can't make the invoice renderer fetch anything: not the network, not files."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from cloudcity.documents import InvoiceData, render_invoice_pdf
from cloudcity.documents.fetcher import BundledFilesFetcher, RefusedFetch
from cloudcity.documents.pdf import bundled_files_fetcher
from cloudcity.documents.pdf_engine import HTML
from cloudcity.documents.templating import TEMPLATES_DIR

MakeInvoice = Callable[..., InvoiceData]
ReadPdf = Callable[[bytes], str]


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that only counts who connects."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)

    def connections_so_far(self) -> list[tuple[str, int]]:
        """Everyone who connected before now: connect a sentinel and wait until it is accepted.

        Connections are accepted in order, so once the sentinel shows up, an earlier attempt
        (say, by the renderer) has been recorded too.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sentinel:
            me = sentinel.getsockname()
        deadline = time.monotonic() + 5
        while me not in self.connections:
            assert time.monotonic() < deadline, "the listener never saw the sentinel"
            time.sleep(0.01)
        return self.connections[: self.connections.index(me)]


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A real TCP listener on a free port, stopped after the test."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    record = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            record.connections.append(address)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def test_listener_notices_a_connection(listener: Listener) -> None:
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as client:
        me = client.getsockname()

    assert listener.connections_so_far() == [me]


@pytest.mark.parametrize(
    "name",
    [
        '<img src="http://127.0.0.1:{port}/x">',
        '<iframe src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">',
        "<style>@import url(http://127.0.0.1:{port}/i.css);</style>",
    ],
)
def test_markup_in_a_customer_name_is_printed_not_fetched(
    name: str, listener: Listener, make_invoice: MakeInvoice, read_pdf: ReadPdf
) -> None:
    customer_name = name.format(port=listener.port)

    pdf = render_invoice_pdf(make_invoice(customer_name=customer_name))

    assert customer_name in read_pdf(pdf)
    assert "root:" not in read_pdf(pdf)
    assert listener.connections_so_far() == []


def test_even_unescaped_markup_fetches_nothing(
    listener: Listener, read_pdf: ReadPdf, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{listener.port}"
    raw = (
        f'<link rel="stylesheet" href="{url}/s.css">'
        f"<style>@import url({url}/i.css); body {{ background: url({url}/b.png) }}</style>"
        f'<p>visible</p><img src="{url}/x.png"><img src="file:///etc/passwd">'
        f'<object data="{url}/o.svg"></object><embed src="{url}/e.svg">'
    )

    pdf = HTML(
        string=raw, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=bundled_files_fetcher()
    ).write_pdf()

    assert "visible" in read_pdf(pdf)
    assert listener.connections_so_far() == []
    assert "documents may only load bundled files" in caplog.text


@pytest.fixture
def fetcher() -> BundledFilesFetcher:
    return BundledFilesFetcher(TEMPLATES_DIR)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.css",
        TEMPLATES_DIR.as_uri() + "/../../../../../../etc/passwd",
        TEMPLATES_DIR.as_uri() + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        TEMPLATES_DIR.as_uri() + "/../documents-evil/invoice.css",
        TEMPLATES_DIR.as_uri() + "/no-such-file.css",
        TEMPLATES_DIR.as_uri() + "/email",
    ],
)
def test_fetcher_refuses_everything_but_bundled_files(
    fetcher: BundledFilesFetcher, url: str
) -> None:
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)


def test_fetcher_serves_a_bundled_file(fetcher: BundledFilesFetcher) -> None:
    response = fetcher.fetch((TEMPLATES_DIR / "invoice.css").as_uri())
    try:
        assert response.content_type == "text/css"
        assert b"@page" in response.read()
    finally:
        response.close()
