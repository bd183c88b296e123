"""The one fake clock: stands still until a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from cloudcity.web.context import EXTENSION

# 10:00 on Tuesday 1 Dec 2026 in America/Los_Angeles, the default shop's zone: with 48 h
# notice the first pickup is Thursday 10:00.
TUESDAY_10AM = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand; give it to create_app, the worker, or a use case."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **delta: float) -> None:
        """Move time forward by seconds, or by timedelta's keywords (minutes=5)."""
        self.now += timedelta(seconds=seconds, **delta)


def on_clock(app: Flask, clock: FakeClock) -> Flask:
    """The app, reading the time from `clock` from now on."""
    app.extensions[EXTENSION].clock = clock
    return app


def fake_clock_fixtures(start: datetime | None = None) -> tuple[Any, Any]:
    """The `clock` and `app` fixtures of a folder whose app runs on a fake clock.

    In a conftest: `clock, app = fake_clock_fixtures(TUESDAY_10AM)`. The clock stands at
    `start` (default: 1 May 2025, 09:00 UTC) until a test moves it; a test module may still
    override `clock` to start elsewhere.
    """

    @pytest.fixture(name="clock")
    def clock_fixture() -> FakeClock:
        """The app's (and the worker's) clock, standing still until a test moves it."""
        return FakeClock(start)

    @pytest.fixture(name="app")
    def app_fixture(app: Flask, clock: FakeClock) -> Flask:
        """The app under test, on the fake clock."""
        return on_clock(app, clock)

    return clock_fixture, app_fixture
