"""Delivery reports from providers: store each event once, move a message's status forward only.

Twilio: queued/accepted < sending < sent < failed/undelivered < delivered < read, where
failed/undelivered are terminal (a late "sent" never hides a failure) but never beat a
confirmed delivery. SendGrid: processed < deferred < delivered < bounce/dropped, with
bounce/dropped terminal (an asynchronous bounce after "delivered" is the truer news).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudcity.db.models import DeliveryEvent, OutboxMessage
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
    """Store a report once (by event_key) and update its outbox row; False for a repeat."""
    if uow.deliveries.seen(report.event_key):
        return False
    message = uow.deliveries.locked_message(
        outbox_id=report.outbox_id,
        provider_ids=message_ids(report.provider, report.provider_message_id or ""),
        email_of_order=report.order_id if report.provider == "sendgrid" else None,
    )
    if message is not None and message.id == report.outbox_id:
        settle(message, report, now=now)
    uow.deliveries.add(_event(report, message, now=now))
    if message is not None and advances(report.provider, message.delivery_status, report.event):
        message.delivery_status = report.event
        message.updated_at = now
    elif message is None:
        log.info("%s event %s matches no outbox message", report.provider, report.event_key)
    return True


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


def _event(report: Report, message: OutboxMessage | None, *, now: datetime) -> DeliveryEvent:
    return DeliveryEvent(
        provider=report.provider,
        event_key=report.event_key,
        provider_message_id=(
            message.provider_message_id if message is not None else report.provider_message_id
        ),
        outbox_id=message.id if message is not None else None,
        event=report.event[:32],
        error_code=report.error_code[:32] if report.error_code else None,
        payload=report.payload,
        at=now,
    )
