"""Fixtures for the providers' tests: a scripted provider stand-in and sample messages."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cloudcity.providers import Attachment, Email
from tests.providers.http_stub import ScriptedServer

# A tiny but well-formed PDF: enough for parsers and for the spec's non-empty content.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A scripted provider stand-in, stopped after the test."""
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


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
