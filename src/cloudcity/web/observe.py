"""What each request leaves behind for the operator: an id, a log line, counters, /metrics."""

from __future__ import annotations

import hmac
import logging
import time
import uuid

from flask import Blueprint, Flask, Response, g, jsonify, request

from cloudcity import metrics
from cloudcity.logs import REQUEST_ID, fields, sane_request_id
from cloudcity.readiness import Limits
from cloudcity.web.context import Services, services, settings

bp = Blueprint("observe", __name__)
FIGURES = "metrics_figures"
LOOPBACK = frozenset({"127.0.0.1", "::1"})
REQUEST_ID_HEADER = "X-Request-Id"
log = logging.getLogger("cloudcity.request")


def register(app: Flask, found: Services) -> None:
    """Time and count every request, and serve /metrics."""
    found.extras[FIGURES] = metrics.DatabaseFigures(
        found.database, found.clock, Limits.from_settings(found.settings)
    )
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget_request_id)
    app.register_blueprint(bp)


def _start() -> None:
    g.started = time.perf_counter()
    g.request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
    REQUEST_ID.set(g.request_id)


def _finish(response: Response) -> Response:
    """Count the request, log its one line, and hand its id back."""
    # The route's rule, not the path: bounded labels, and no token or number from a URL.
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    status = str(response.status_code)
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    metrics.REQUESTS.labels(endpoint, request.method, status).inc()
    metrics.LATENCY.labels(endpoint, status).observe(seconds)
    line = fields(
        method=request.method,
        endpoint=endpoint,
        status=response.status_code,
        duration_ms=round(seconds * 1000, 1),
    )
    log.info("%s %s %s", request.method, endpoint, status, extra=line)
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def _forget_request_id(_exc: BaseException | None) -> None:
    # Workers reuse threads: the next request must not inherit this one's id.
    REQUEST_ID.set(None)


@bp.get("/metrics")
def scrape() -> Response | tuple[Response, int]:
    """Prometheus' scrape: a bearer token when one is set, else loopback callers only."""
    refusal = _refusal()
    if refusal is not None:
        return jsonify({"error": refusal, "details": []}), 401 if _token() else 403
    body = metrics.exposition(services().extras[FIGURES])
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")


def _token() -> str | None:
    token = settings().metrics_token
    return token.get_secret_value() if token is not None else None


def _refusal() -> str | None:
    expected = _token()
    if expected is not None:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return None
        return "send `Authorization: Bearer <CLOUDCITY_METRICS_TOKEN>`"
    # Through a proxy the peer is loopback but the caller is not: the header gives it away.
    if request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers:
        return None
    return "without CLOUDCITY_METRICS_TOKEN, /metrics answers only on this machine"
