"""Fixtures for the outbox tests: a hand-moved clock, fake senders, a renderer, workers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.ports import ReceiptRenderer
from cloudcity.outbox.receipts import DocumentsRenderer
from cloudcity.outbox.worker import Worker
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender


@pytest.fixture
def clock() -> FakeClock:
    """Time as the worker sees it; tests move it with advance()."""
    return FakeClock(utcnow() + timedelta(minutes=1))  # a little after now: rows are due


@pytest.fixture
def fake_email() -> FakeEmailSender:
    """An email sender that records what it was given."""
    return FakeEmailSender()


@pytest.fixture
def fake_messages() -> FakeMessageSender:
    """A WhatsApp/SMS sender that records what it was given."""
    return FakeMessageSender()


@pytest.fixture
def renderer(settings: Settings) -> ReceiptRenderer:
    """The real cloudcity.documents renderer (WeasyPrint PDF, Jinja2 email)."""
    return DocumentsRenderer()


@pytest.fixture
def make_worker(
    database: Database,
    settings: Settings,
    clock: FakeClock,
    fake_email: FakeEmailSender,
    fake_messages: FakeMessageSender,
    renderer: ReceiptRenderer,
) -> Callable[..., Worker]:
    """Build a worker on the test database with the fakes; options override settings."""

    def build(settings_: Settings | None = None, **options: Any) -> Worker:
        chosen = settings_ or settings
        dispatcher = Dispatcher(
            email=fake_email, messages=fake_messages, renderer=renderer, settings=chosen
        )
        options.setdefault("clock", clock)
        options.setdefault("jitter", lambda: 0.5)
        options.setdefault("lease", 60.0)
        return Worker(database, dispatcher, chosen, **options)

    return build
