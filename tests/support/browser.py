"""Reusable live-server and browser fixtures for any test area.

Fixtures `live_server`, `browser` and `page` are available to every test area (registered
by `pytest_plugins` in tests/conftest.py).

`live_server` serves the `app` fixture on 127.0.0.1 (a free port) in a thread and stops it
after the test; `serve(app)` does the same for an app you built yourself. `browser` is Debian's
chromium driven by Playwright (never `playwright install`); tests that use it skip when
/usr/bin/chromium is missing. `page` is a fresh browser context and page per test.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = "install Debian's chromium (apt-get install chromium)"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class LiveServer:
    """A running app: its base URL (no trailing slash) and the app itself."""

    url: str
    app: Flask


@contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve `app` on a free local port in a thread until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test's app, served over real HTTP."""
    with serve(app) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless chromium, one per test session."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    _no_running_loop()
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield found
        finally:
            found.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own browser context (no shared cookies between tests)."""
    context = browser.new_context(viewport={"width": 420, "height": 860})
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def _no_running_loop() -> None:
    # Playwright's sync API refuses to start inside a running asyncio loop; say why, plainly.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("the browser fixture cannot run inside an asyncio event loop")
