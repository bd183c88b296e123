"""Is the service doing its job? The database answers, a worker is alive, nothing is stuck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.config import Settings
from cloudcity.db import Reading


@dataclass(frozen=True)
class Limits:
    """How long a worker may be silent while messages wait, a due message may wait, a dead
    message counts as recent (zero: never), and a message may keep being retried."""

    worker_stale: timedelta
    outbox_stuck: timedelta
    dead_window: timedelta = timedelta(hours=24)
    retrying: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The thresholds the settings give (CLOUDCITY_READY_...)."""
        return cls(
            worker_stale=timedelta(seconds=settings.ready_worker_stale_seconds),
            outbox_stuck=timedelta(seconds=settings.ready_outbox_stuck_seconds),
            dead_window=timedelta(hours=settings.ready_dead_hours),
            retrying=timedelta(seconds=settings.ready_retrying_seconds),
        )


@dataclass(frozen=True)
class Readiness:
    """What the checks found; `problems` is empty when all is well."""

    problems: tuple[str, ...]
    due: int
    oldest_due_seconds: float | None
    heartbeat_age_seconds: float | None
    dead_recent: int = 0
    oldest_retrying_seconds: float | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def check_readiness(reading: Reading, *, now: datetime, limits: Limits) -> Readiness:
    """Read the newest worker heartbeat, the due backlog and what keeps failing; judge them."""
    backlog = reading.outbox.backlog(now=now)
    latest = reading.heartbeats.latest()
    trouble = reading.outbox.trouble(dead_since=now - limits.dead_window)
    dead = trouble.dead if limits.dead_window else 0
    heartbeat_age = _seconds(now - latest) if latest is not None else None
    oldest_due = _seconds(now - backlog.oldest_due_at) if backlog.oldest_due_at else None
    retried = trouble.oldest_retrying_since
    retrying = _seconds(now - retried) if retried is not None else None
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
    problems.extend(_failing(dead, retrying, limits))
    return Readiness(tuple(problems), backlog.due, oldest_due, heartbeat_age, dead, retrying)


def _failing(dead: int, retrying: float | None, limits: Limits) -> list[str]:
    """A message failing again and again: backoff moves its due time, so it never looks due."""
    problems = []
    if dead:
        hours = limits.dead_window.total_seconds() / 3600
        problems.append(
            f"{dead} outbox message(s) gave up (dead) in the last {hours:g} h: see "
            "`cloudcity outbox list`, then `cloudcity outbox retry ID` once the cause is fixed"
        )
    if retrying is not None and retrying > limits.retrying.total_seconds():
        problems.append(
            f"an outbox message has kept failing for {retrying:.0f} s since its first attempt "
            f"(more than {limits.retrying.total_seconds():.0f} s): see `cloudcity outbox list`"
        )
    return problems


def _seconds(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0.0)
