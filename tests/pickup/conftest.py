"""Pickup fixtures: the app on a clock standing at Tuesday 1 Dec 2026, 10:00 in Los Angeles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from cloudcity.web.context import EXTENSION
from tests.support.clock import FakeClock

TUESDAY_10AM = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 10:00 in America/Los_Angeles


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock, standing still until a test moves it."""
    return FakeClock(TUESDAY_10AM)


@pytest.fixture
def app(app: Flask, clock: FakeClock) -> Flask:
    """The app under test, on the fake clock."""
    app.extensions[EXTENSION].clock = clock
    return app
