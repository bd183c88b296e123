"""Liveness (/healthz: the database answers) and readiness (/readyz: the service does its job)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from cloudcity.readiness import Limits, Readiness, check_readiness
from cloudcity.web.context import now, reading, services, settings

bp = Blueprint("health", __name__)
DATABASE_DOWN = "the database is not reachable"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Check the database with a trivial query."""
    if services().database.ping():
        return jsonify({"status": "ok"}), 200
    return jsonify({"status": "unavailable", "error": DATABASE_DOWN}), 503


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """503 with the reasons when the database, the workers or the outbox are in trouble."""
    found = current_readiness()
    if found is None:
        return _unavailable([DATABASE_DOWN], {}), 503
    figures = {
        "outbox_due": found.due,
        "oldest_due_seconds": found.oldest_due_seconds,
        "worker_heartbeat_age_seconds": found.heartbeat_age_seconds,
        "outbox_dead_recent": found.dead_recent,
        "oldest_retrying_seconds": found.oldest_retrying_seconds,
    }
    if found.ok:
        return jsonify({"status": "ok", **figures}), 200
    return _unavailable(list(found.problems), figures), 503


def current_readiness() -> Readiness | None:
    """The readiness checks on this request's read session; None when the database is down."""
    try:
        return check_readiness(reading(), now=now(), limits=Limits.from_settings(settings()))
    except sa.exc.SQLAlchemyError:
        return None


def _unavailable(problems: list[str], figures: dict[str, Any]) -> Response:
    return jsonify({"status": "unavailable", "error": problems[0], "details": problems, **figures})
