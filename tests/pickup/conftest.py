"""Pickup fixtures: the app on a clock standing at Tuesday 1 Dec 2026, 10:00 in Los Angeles."""

from __future__ import annotations

from tests.support.clock import TUESDAY_10AM, fake_clock_fixtures

clock, app = fake_clock_fixtures(TUESDAY_10AM)
