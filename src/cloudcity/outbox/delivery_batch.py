"""Record a provider's batch of delivery reports in a few statements, whatever its size.

`delivery.record` costs a lookup, a lock and an insert per event: fine for one Twilio callback,
ruinous for a SendGrid batch of thousands. Here the batch's outbox rows are read (and locked)
together, the new events are inserted by one INSERT ... ON CONFLICT DO NOTHING (db.bulk), and
only events that were new move a message's status forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cloudcity.db import UnitOfWork
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.delivery import Report, advances, message_ids, settle


def record_batch(*, uow: UnitOfWork, reports: Sequence[Report], now: datetime) -> int:
    """Store each report once (by event_key), update the outbox; how many were new."""
    unique = list({report.event_key: report for report in reports}.values())
    if not unique:
        return 0
    messages = _outbox_rows(uow, unique)
    matched = {report.event_key: _match(report, messages) for report in unique}
    rows = [_event_row(report, matched[report.event_key], now) for report in unique]
    new_keys = uow.deliveries.add_new(rows)
    for report in unique:
        message = matched[report.event_key]
        if report.event_key not in new_keys or message is None:
            continue
        if message.id == report.outbox_id:
            settle(message, report, now=now)
        if advances(report.provider, message.delivery_status, report.event):
            message.delivery_status = report.event
            message.updated_at = now
    return len(new_keys)


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
    """The message a report is about, tried as `delivery.record` does: id, message id, order."""
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
