"""How long personal data is kept: prune chat, delivery events and sent payloads, in batches.

Orders, their events and their money stay for the books; so do the outbox rows (who was sent
what, when), only their payloads emptied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.config import Settings
from cloudcity.db import Database, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ages:
    """How old each kind of row may grow before it goes."""

    chat: timedelta
    delivery_events: timedelta
    sent_payloads: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Ages:
        """The ages the settings give (CLOUDCITY_RETAIN_..._DAYS)."""
        return cls(
            chat=timedelta(days=settings.retain_chat_days),
            delivery_events=timedelta(days=settings.retain_delivery_events_days),
            sent_payloads=timedelta(days=settings.retain_sent_payloads_days),
        )


def prune_batch(*, uow: UnitOfWork, now: datetime, ages: Ages, limit: int) -> dict[str, int]:
    """Remove one batch (up to `limit` rows of each kind) of what is past its age."""
    retention = uow.retention
    return {
        "chat messages": retention.delete_chat_before(now - ages.chat, limit=limit),
        "conversations": retention.delete_conversations_idle_since(now - ages.chat, limit=limit),
        "delivery events": retention.delete_delivery_events_before(
            now - ages.delivery_events, limit=limit
        ),
        "sent payloads": retention.clear_sent_payloads_before(
            now - ages.sent_payloads, limit=limit
        ),
    }


def prune(
    database: Database,
    *,
    now: datetime,
    ages: Ages,
    batch_size: int,
    between_batches: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Prune batch after batch, each its own unit of work, until nothing is left to prune.

    `between_batches` runs after each batch (the worker beats its heartbeat there).
    """
    totals: dict[str, int] = {}
    while True:
        done = database.run(lambda uow: prune_batch(uow=uow, now=now, ages=ages, limit=batch_size))
        if between_batches is not None:
            between_batches()
        for kind, count in done.items():
            totals[kind] = totals.get(kind, 0) + count
        if not any(done.values()):
            break
    log.info("pruned %s", ", ".join(f"{count} {kind}" for kind, count in totals.items()))
    return totals
