"""Liveness for load balancers: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from cloudcity.web.context import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Check the database with a trivial query."""
    if services().database.ping():
        return jsonify({"status": "ok"}), 200
    return jsonify({"status": "unavailable", "error": "the database is not reachable"}), 503
