"""Errors as the JSON API answers them: `{"error": ..., "details": [...]}` with a 4xx status."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from cloudcity.pricing import Problem

log = logging.getLogger(__name__)
JSON_PREFIXES = ("/api/", "/healthz", "/readyz", "/metrics", "/twilio/", "/sendgrid/", "/dev/chat/")


class ApiError(Exception):
    """A request the API refuses, with what was wrong in words for the client."""

    def __init__(self, status: int, error: str, details: list[Problem] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.details = details or []


def from_validation(exc: ValidationError) -> ApiError:
    """Turn pydantic's complaints into one 422 answer with a line per field."""
    details = [
        Problem(".".join(str(p) for p in err["loc"]) or "body", _plain(err["msg"]))
        for err in exc.errors(include_url=False)
    ]
    return ApiError(422, "the request has invalid fields", details)


def _plain(message: str) -> str:
    return message.replace("Value error, ", "")


def error_response(status: int, error: str, details: list[Problem] | None = None) -> Response:
    """The JSON body every API error shares."""
    body = {"error": error, "details": [p.__dict__ for p in details or []]}
    response = jsonify(body)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """Answer JSON paths' errors in JSON, and never leak a traceback."""

    @app.errorhandler(ApiError)
    def on_api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.error, exc.details)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response | HTTPException:
        if not request.path.startswith(JSON_PREFIXES):
            return exc
        response = error_response(exc.code or 500, exc.description or exc.name)
        allowed = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "something went wrong on our side; please try again")
