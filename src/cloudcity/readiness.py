"""Is the service doing its job? The database answers, a worker is alive, nothing is stuck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.config import Settings
from cloudcity.db import Reading


@dataclass(frozen=True)
class Limits:
    """How long a worker may be silent while messages wait, and a due message may wait."""

    worker_stale: timedelta
    outbox_stuck: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The thresholds the settings give (CLOUDCITY_READY_...)."""
        return cls(
            worker_stale=timedelta(seconds=settings.ready_worker_stale_seconds),
            outbox_stuck=timedelta(seconds=settings.ready_outbox_stuck_seconds),
        )


@dataclass(frozen=True)
class Readiness:
    """What the checks found; `problems` is empty when all is well."""

    problems: tuple[str, ...]
    due: int
    oldest_due_seconds: float | None
    heartbeat_age_seconds: float | None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def check_readiness(reading: Reading, *, now: datetime, limits: Limits) -> Readiness:
    """Read the newest worker heartbeat and the outbox's due backlog, and judge them."""
    backlog = reading.outbox.backlog(now=now)
    latest = reading.heartbeats.latest()
    heartbeat_age = _seconds(now - latest) if latest is not None else None
    oldest_due = _seconds(now - backlog.oldest_due_at) if backlog.oldest_due_at else None
    problems = []
    stale = limits.worker_stale.total_seconds()
    if backlog.due and (heartbeat_age is None or heartbeat_age > stale):
        silent = "ever" if heartbeat_age is None else f"for {heartbeat_age:.0f} s"
        problems.append(
            f"no outbox worker has sent a heartbeat {silent} while {backlog.due} message(s) "
            "wait: start `cloudcity worker` (or look at why it stopped)"
        )
    if oldest_due is not None and oldest_due > limits.outbox_stuck.total_seconds():
        problems.append(
            f"the oldest due outbox message has waited {oldest_due:.0f} s (more than "
            f"{limits.outbox_stuck.total_seconds():.0f} s): see `cloudcity outbox list`"
        )
    return Readiness(tuple(problems), backlog.due, oldest_due, heartbeat_age)


def _seconds(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0.0)
