"""Fixtures for the providers' tests: a scripted provider stand-in and sample messages."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.http_stub import ScriptedServer


# A tiny but well-formed PDF: enough for parsers and for the spec's non-empty content.
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
