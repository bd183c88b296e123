"""Delivery reports from providers: store each event once, move a message's status forward only.

Twilio: queued/accepted < sending < sent < failed/undelivered < delivered < read, where
failed/undelivered are terminal (a late "sent" never hides a failure) but never beat a
confirmed delivery. SendGrid: processed < deferred < delivered < bounce/dropped, with
bounce/dropped terminal (an asynchronous bounce after "delivered" is the truer news).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudcity.db.models import OutboxMessage
from cloudcity.db.unit_of_work import UnitOfWork
from cloudcity.outbox.status import SENT

log = logging.getLogger(__name__)

RANKS: dict[str, dict[str, int]] = {
    "twilio": {
        "accepted": 0,
        "scheduled": 0,
        "queued": 0,
        "sending": 1,
        "sent": 2,
        "failed": 3,
        "undelivered": 3,
        "canceled": 3,
        "delivered": 4,
        "read": 5,
    },
    "sendgrid": {"processed": 0, "deferred": 1, "delivered": 2, "bounce": 3, "dropped": 3},
}
TERMINAL: dict[str, frozenset[str]] = {
    "twilio": frozenset({"failed", "undelivered", "canceled"}),
    "sendgrid": frozenset({"bounce", "dropped"}),
}

# What Twilio's commonest ErrorCodes on a failed or undelivered message mean, in a baker's
# words (twilio.com/docs/api/errors has them all).
TWILIO_ERRORS: dict[str, str] = {
    "21211": "the number is not a valid phone number",
    "21408": "sending to this country is not enabled on the Twilio account",
    "21610": "the customer unsubscribed (replied STOP) on this number",
    "21614": "the number is not a mobile number",
    "30003": "the phone is unreachable (switched off or out of coverage)",
    "30004": "the message was blocked (the customer may have blocked the shop)",
    "30005": "the number is unknown or no longer in service",
    "30006": "the number is a landline or its carrier cannot be reached",
    "30007": "the carrier filtered the message as spam",
    "30008": "the carrier gave no reason",
    "30034": "the sending number is not registered for US texting (A2P 10DLC)",
    "63003": "the number has no WhatsApp account",
    "63016": "outside WhatsApp's 24-hour window: send the approved template instead",
    "63018": "WhatsApp's rate limit was reached: try again in a while",
    "63024": "WhatsApp cannot deliver to this recipient",
}


def error_text(provider: str, code: str) -> str:
    """A provider's error code as a baker reads it: `error 30003: the phone is unreachable`."""
    meaning = TWILIO_ERRORS.get(code) if provider == "twilio" else None
    return f"error {code}: {meaning}" if meaning else f"error {code}"


@dataclass(frozen=True)
class Report:
    """One provider event about one message."""

    provider: str
    event_key: str
    event: str
    provider_message_id: str | None = None
    outbox_id: int | None = None
    order_id: int | None = None
    error_code: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def advances(provider: str, current: str | None, new: str) -> bool:
    """True when `new` is news after `current`: later in the order and not after a terminal."""
    ranks = RANKS[provider]
    if new not in ranks:
        return False
    if current is None or current not in ranks:
        return True
    if current in TERMINAL[provider]:
        return False
    return ranks[new] > ranks[current]


def record(*, uow: UnitOfWork, report: Report, now: datetime) -> bool:
    """Store one report once (by event_key) and update its outbox row; False for a repeat."""
    return record_batch(uow=uow, reports=[report], now=now) == 1


def record_batch(*, uow: UnitOfWork, reports: Sequence[Report], now: datetime) -> int:
    """Store each report once (by event_key), update the outbox; how many were new.

    A SendGrid batch may hold thousands of events: the outbox rows it names are read and
    locked together, and the new events inserted by one statement, whatever its size.
    """
    unique = list({report.event_key: report for report in reports}.values())
    if not unique:
        return 0
    messages = _outbox_rows(uow, unique)
    matched = {report.event_key: _match(report, messages) for report in unique}
    rows = [_event_row(report, matched[report.event_key], now) for report in unique]
    new_keys = uow.deliveries.add_new(rows)
    for report in unique:
        message = matched[report.event_key]
        if report.event_key in new_keys:
            _apply(report, message, now=now)
    return len(new_keys)


def _apply(report: Report, message: OutboxMessage | None, *, now: datetime) -> None:
    if message is None:
        log.info("%s event %s matches no outbox message", report.provider, report.event_key)
        return
    if message.id == report.outbox_id:
        settle(message, report, now=now)
    if advances(report.provider, message.delivery_status, report.event):
        message.delivery_status = report.event
        message.updated_at = now


def settle(message: OutboxMessage, report: Report, *, now: datetime) -> None:
    """A report naming our outbox id means the provider took the message: a send in doubt
    (its worker died before saying so, or saw a timeout) is sent. Only one in doubt: a report
    cannot make a message nobody began sending look sent."""
    if message.status == SENT or message.sending_since is None:
        return
    log.info(
        "outbox message %s (%s) is sent, says a %s report",
        message.id,
        message.status,
        report.provider,
    )
    message.status, message.sent_at, message.last_error = SENT, now, None
    message.provider_message_id = message.provider_message_id or report.provider_message_id
    message.locked_by = message.locked_until = message.sending_since = None
    message.updated_at = now


def message_ids(provider: str, message_id: str) -> list[str]:
    """The ids a send may have returned: SendGrid's sg_message_id is `<X-Message-Id>.<filter>`.

    Older X-Message-Ids contain dots themselves, so every dotted prefix is a candidate.
    """
    if not message_id:
        return []
    if provider != "sendgrid":
        return [message_id]
    parts = message_id.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _outbox_rows(uow: UnitOfWork, reports: Sequence[Report]) -> list[OutboxMessage]:
    return uow.deliveries.locked_messages(
        outbox_ids={r.outbox_id for r in reports if r.outbox_id is not None},
        provider_ids={
            candidate
            for r in reports
            if r.provider_message_id
            for candidate in message_ids(r.provider, r.provider_message_id)
        },
        email_of_orders={r.order_id for r in reports if r.order_id is not None},
    )


def _match(report: Report, newest_first: list[OutboxMessage]) -> OutboxMessage | None:
    """The message a report is about: by our id, then the provider's, then an order's email."""
    if report.outbox_id is not None:
        for row in newest_first:
            if row.id == report.outbox_id:
                return row
    if report.provider_message_id:
        candidates = set(message_ids(report.provider, report.provider_message_id))
        for row in newest_first:
            if row.provider_message_id in candidates:
                return row
    if report.order_id is not None and report.provider == "sendgrid":
        for row in newest_first:
            if row.order_id == report.order_id and row.kind.endswith("_email"):
                return row
    return None


def _event_row(report: Report, message: OutboxMessage | None, now: datetime) -> dict[str, Any]:
    return {
        "provider": report.provider,
        "event_key": report.event_key,
        "provider_message_id": (
            message.provider_message_id if message is not None else report.provider_message_id
        ),
        "outbox_id": message.id if message is not None else None,
        "event": report.event[:32],
        "error_code": report.error_code[:32] if report.error_code else None,
        "payload": report.payload,
        "at": now,
    }
