"""Log lines an operator can search: JSON in production, readable in development, and no
phone number or email in clear, whoever logged it.

Each request gets an id (`X-Request-Id`) kept in a context variable while it runs: every
line logged meanwhile carries it, and the outbox rows it writes store it, so the worker's
send lines name the request that caused them.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any, TextIO

REQUEST_ID: ContextVar[str | None] = ContextVar("cloudcity_request_id", default=None)
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
PHONE = re.compile(r"(\+\d{2})\d{4,11}(\d{2})")
HANDLER_NAME = "cloudcity"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has: anything else on a record came as `extra=`.
STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
}


def mask(text: str) -> str:
    """Hide phone numbers (+14155550100 -> +14*******00) and emails (ana@x.com -> a***@x.com)."""
    text = EMAIL.sub(r"\1***@\2", text)
    return PHONE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 5) + m.group(2), text)


def sane_request_id(given: str | None) -> str | None:
    """An incoming X-Request-Id worth keeping (letters, digits, . _ : -, up to 64), else None."""
    if given and SANE_REQUEST_ID.fullmatch(given):
        return given
    return None


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being handled (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` unless the line brought its own."""
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """One readable line: the message, then `key=value` for every field given with it."""

    def format(self, record: logging.LogRecord) -> str:
        """The masked line."""
        line = super().format(record)
        fields = {k: v for k, v in record.__dict__.items() if k not in STANDARD}
        if record.__dict__.get("request_id"):
            fields = {"request_id": record.__dict__["request_id"], **fields}
        extra = " ".join(f"{key}={value}" for key, value in fields.items())
        return mask(f"{line} {extra}" if extra else line)


def json_formatter() -> logging.Formatter:
    """One JSON object a line (python-json-logger), masked like the text lines."""
    from pythonjsonlogger.json import JsonFormatter

    class Masked(JsonFormatter):
        def format(self, record: logging.LogRecord) -> str:
            return mask(super().format(record))

    return Masked(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def make_handler(*, json: bool, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing JSON or text lines to `stream` (stderr), with request ids, masked."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter() if json else TextFormatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name(HANDLER_NAME)
    return handler


def configure_logging(*, json: bool, verbose: bool = False) -> None:
    """Log to stderr as JSON or text; like basicConfig, leave a root someone else set up
    (a test runner's) alone, but replace what an earlier call of ours installed."""
    root = logging.getLogger()
    for ours in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(ours)
    if root.handlers:
        return
    root.addHandler(make_handler(json=json))
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # WeasyPrint narrates every render at INFO; only its warnings matter to an operator.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def fields(**values: Any) -> dict[str, Any]:
    """The `extra=` of a structured line, None values left out."""
    return {key: value for key, value in values.items() if value is not None}
