"""Delivery reports from the providers: Twilio status callbacks and SendGrid's Event Webhook."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from cloudcity.outbox.delivery import Report, record, record_batch
from cloudcity.pricing import Problem
from cloudcity.providers.sendgrid_webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookKeyError,
    is_valid_signature,
)
from cloudcity.text import clean_json
from cloudcity.web.context import now, run_in_unit_of_work, settings
from cloudcity.web.errors import ApiError
from cloudcity.web.twilio_auth import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("delivery_webhooks", __name__)
# SendGrid posts a batch every 30 s or at 768 KB, whichever comes first: anything beyond these
# bounds is not SendGrid, and each batch is recorded in a few statements (delivery_batch).
SENDGRID_MAX_BYTES = 1024 * 1024
SENDGRID_MAX_EVENTS = 5_000
TWILIO_FIELDS = ("MessageSid", "MessageStatus", "ErrorCode", "To", "From", "ChannelPrefix")
TWILIO_FIELD_MAX = 100  # a SID is 34 characters, an address under 50: a signed form may hold more
ERROR_EVENTS = frozenset({"bounce", "dropped", "deferred"})
MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number matches nothing, never a query


@bp.post("/twilio/status")
@twilio_signed
def twilio_status() -> tuple[str, int]:
    """Record a Twilio message status callback (once per message and status)."""
    sid = _text(request.form.get("MessageSid") or request.form.get("SmsSid"), 64)
    status = _text(request.form.get("MessageStatus") or request.form.get("SmsStatus"), 32)
    if sid is None or status is None:
        raise ApiError(400, "MessageSid and MessageStatus are required, as printable text")
    report = Report(
        provider="twilio",
        event_key=f"twilio:{sid}:{status}",
        event=status,
        provider_message_id=sid,
        outbox_id=_int(request.args.get("outbox_id")),  # our StatusCallback's query string
        error_code=_text(request.form.get("ErrorCode"), 32),
        payload={
            key: value
            for key in TWILIO_FIELDS
            if (value := _text(request.form.get(key), TWILIO_FIELD_MAX))
        },
    )
    run_in_unit_of_work(lambda uow: record(uow=uow, report=report, now=now()))  # once per key
    return "", 204


@bp.post("/sendgrid/events")
def sendgrid_events() -> Response:
    """Record SendGrid events (once per sg_event_id), verifying the signature when keyed."""
    request.max_content_length = SENDGRID_MAX_BYTES
    payload = _text_body()
    _check_sendgrid_signature(payload)
    events = _event_list(payload)
    if len(events) > SENDGRID_MAX_EVENTS:
        raise ApiError(413, f"a batch holds at most {SENDGRID_MAX_EVENTS:,} events")
    reports = [report for event in events if (report := _sendgrid_report(event))]
    recorded = run_in_unit_of_work(lambda uow: record_batch(uow=uow, reports=reports, now=now()))
    return jsonify({"received": len(events), "recorded": recorded})


def _text_body() -> str:
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 JSON") from None


def _check_sendgrid_signature(payload: str) -> None:
    public_key = settings().sendgrid_webhook_public_key
    if not public_key:
        if settings().is_dev:
            return  # local development only: production refuses every unsigned batch
        log.error(
            "refused a SendGrid event batch: CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY is not set"
        )
        abort(403, description="SendGrid events are not accepted: no verification key is set")
    try:
        valid = is_valid_signature(
            public_key=public_key,
            payload=payload,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        )
    except WebhookKeyError as exc:
        log.error("%s", exc)
        abort(500, description="the SendGrid webhook key is misconfigured on our side")
    if not valid:
        log.warning(
            "refused a SendGrid event batch with a bad signature from %s", request.remote_addr
        )
        abort(403, description="invalid SendGrid Event Webhook signature")


def _event_list(payload: str) -> list[dict[str, Any]]:
    try:
        events = json.loads(payload, parse_constant=_refuse_constant, parse_float=_finite)
    except ValueError as exc:
        raise ApiError(400, "the body is not valid JSON", [Problem("body", str(exc))]) from None
    except RecursionError:
        raise ApiError(400, "the body's JSON is nested too deeply") from None
    try:
        json.dumps(events, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # A lone \ud800-style escape: valid to Python, refused by PostgreSQL and UTF-8 alike.
        raise ApiError(400, "the body holds an unpaired \\u surrogate escape") from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ApiError(
            400, "the body must be a JSON array of event objects", [Problem("body", "not an array")]
        )
    # Stored as they came, but without control characters (PostgreSQL refuses \u0000).
    return [clean_json(event) for event in events]


def _refuse_constant(name: str) -> float:
    # NaN and Infinity are not JSON, and PostgreSQL's json type refuses them.
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is out of range")
    return number


def _sendgrid_report(event: dict[str, Any]) -> Report | None:
    event_id, name = _text(event.get("sg_event_id"), 190), _text(event.get("event"), 32)
    if event_id is None or name is None:
        log.info("ignored a SendGrid event without a usable sg_event_id/event")
        return None
    reason = event.get("status") or event.get("type")
    return Report(
        provider="sendgrid",
        event_key=f"sendgrid:{event_id}",
        event=name,
        provider_message_id=_text(event.get("sg_message_id"), 100),
        outbox_id=_int(event.get("outbox_id")),
        order_id=_int(event.get("order_id")),
        error_code=_text(str(reason), 32) if reason and name in ERROR_EVENTS else None,
        payload=event,
    )


def _text(value: object, limit: int) -> str | None:
    """A provider's string as our columns hold it: printable, cut to `limit`, else None."""
    if not isinstance(value, str) or not value or not value.isprintable():
        return None  # NUL and other control characters: PostgreSQL text refuses NUL
    return value[:limit]


def _int(value: object) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None
