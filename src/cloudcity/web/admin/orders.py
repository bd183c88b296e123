"""The orders list and an order's page, with the actions a baker takes on it."""

from __future__ import annotations

from flask import render_template

from cloudcity.web.admin import bp


@bp.get("/orders")
def orders() -> str:
    """Orders, newest first."""
    return render_template("admin/orders.html", rows=[])
