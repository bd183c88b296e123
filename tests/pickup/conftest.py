"""Pickup fixtures: the app on a clock standing at Tuesday 1 Dec 2026, 10:00 in Los Angeles."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.clock import TUESDAY_10AM, FakeClock, on_clock


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock, standing still until a test moves it."""
    return FakeClock(TUESDAY_10AM)


@pytest.fixture
def app(app: Flask, clock: FakeClock) -> Flask:
    """The app under test, on the fake clock."""
    return on_clock(app, clock)
