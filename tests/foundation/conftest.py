"""Helpers for the foundation tests: a valid order body and row counts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import order_body


@pytest.fixture
def valid_order() -> dict[str, Any]:
    """A fresh valid order body."""
    return order_body()
