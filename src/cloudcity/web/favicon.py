"""The app's own icon (a small cake), at /favicon.svg and at /favicon.ico where browsers look.

One SVG serves both paths: every browser we support reads an SVG icon whatever the URL says,
and a week's caching keeps it off the request log.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("favicon", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
ICON = "favicon.svg"
A_WEEK = 7 * 24 * 3600


@bp.get("/favicon.svg")
@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The cake icon, cacheable for a week (revalidated by its ETag after that)."""
    return send_from_directory(STATIC, ICON, mimetype="image/svg+xml", max_age=A_WEEK)
