"""Delivery reports from the providers: Twilio status callbacks and SendGrid's Event Webhook."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from cloudcity.db import committing
from cloudcity.delivery import Report, record
from cloudcity.pricing import Problem
from cloudcity.providers.sendgrid_webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookKeyError,
    is_valid_signature,
)
from cloudcity.web.context import db_session, settings
from cloudcity.web.errors import ApiError
from cloudcity.web.twilio_auth import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("delivery_webhooks", __name__)
SENDGRID_MAX_BYTES = 2 * 1024 * 1024  # SendGrid batches many events into one POST
TWILIO_FIELDS = ("MessageSid", "MessageStatus", "ErrorCode", "To", "From", "ChannelPrefix")


@bp.post("/twilio/status")
@twilio_signed
def twilio_status() -> tuple[str, int]:
    """Record a Twilio message status callback (once per message and status)."""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if not (0 < len(sid) <= 64 and 0 < len(status) <= 32):
        raise ApiError(400, "MessageSid and MessageStatus are required")
    report = Report(
        provider="twilio",
        event_key=f"twilio:{sid}:{status}",
        event=status,
        provider_message_id=sid,
        error_code=request.form.get("ErrorCode") or None,
        payload={key: request.form[key] for key in TWILIO_FIELDS if key in request.form},
    )
    with committing(db_session()) as session:
        record(session, report=report)
    return "", 204


@bp.post("/sendgrid/events")
def sendgrid_events() -> Response:
    """Record SendGrid events (once per sg_event_id), verifying the signature when keyed."""
    request.max_content_length = SENDGRID_MAX_BYTES
    payload = _text_body()
    _check_sendgrid_signature(payload)
    events = _event_list(payload)
    reports = [report for event in events if (report := _sendgrid_report(event))]
    recorded = 0
    with committing(db_session()) as session:
        for report in reports:
            recorded += record(session, report=report)
    return jsonify({"received": len(events), "recorded": recorded})


def _text_body() -> str:
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 JSON") from None


def _check_sendgrid_signature(payload: str) -> None:
    public_key = settings().sendgrid_webhook_public_key
    if not public_key:
        return
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
        events = json.loads(payload)
    except ValueError as exc:
        raise ApiError(400, "the body is not valid JSON", [Problem("body", str(exc))]) from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ApiError(
            400, "the body must be a JSON array of event objects", [Problem("body", "not an array")]
        )
    return events


def _sendgrid_report(event: dict[str, Any]) -> Report | None:
    event_id, name = event.get("sg_event_id"), event.get("event")
    if not isinstance(event_id, str) or not isinstance(name, str) or not event_id:
        log.info("ignored a SendGrid event without sg_event_id/event: %s", event.get("event"))
        return None
    message_id = event.get("sg_message_id")
    reason = event.get("status") or event.get("type")
    return Report(
        provider="sendgrid",
        event_key=f"sendgrid:{event_id}"[:200],
        event=name,
        provider_message_id=message_id[:100] if isinstance(message_id, str) else None,
        outbox_id=_int(event.get("outbox_id")),
        order_id=_int(event.get("order_id")),
        error_code=str(reason) if name in {"bounce", "dropped", "deferred"} and reason else None,
        payload=event,
    )


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        return int(value)
    return None
