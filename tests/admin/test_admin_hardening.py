"""What an outside attack found in the admin: prices, browser protections, logout."""

from __future__ import annotations

import time

import pytest
from admin_support import AuthActions
from flask.testing import FlaskClient


@pytest.mark.parametrize("price", ["1e999990", "1E+999999", "9e999999", "1e-999999", "9" * 5000])
def test_a_menu_price_with_a_huge_exponent_is_a_form_error_at_once(
    client: FlaskClient, auth: AuthActions, price: str
) -> None:
    auth.login()
    started = time.perf_counter()
    response = client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": price})
    assert response.status_code == 422
    assert "Enter a price such as 3.50" in response.get_data(as_text=True)
    assert time.perf_counter() - started < 1.0
