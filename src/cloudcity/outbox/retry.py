"""What happens after a failed send: try again later (backoff, Retry-After), fail, or give up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cloudcity.outbox.status import DEAD, FAILED, RETRY
from cloudcity.providers.ports import DeliveryError

MAX_RETRY_AFTER = 24 * 3600.0


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between half and all of base * 2**(n-1)."""

    base: float = 5.0
    cap: float = 3600.0

    def delay(self, attempts: int, *, jitter: float) -> float:
        """Seconds to wait after `attempts` failed tries; `jitter` is a number in [0, 1)."""
        ceiling = min(self.cap, self.base * 2.0 ** max(attempts - 1, 0))
        return ceiling / 2 + ceiling / 2 * jitter


@dataclass(frozen=True)
class Outcome:
    """The new state of a message whose send failed."""

    status: str
    error: str
    next_attempt_at: datetime | None = None


def after_failure(
    error: DeliveryError,
    *,
    attempts: int,
    max_attempts: int,
    now: datetime,
    backoff: Backoff,
    jitter: float,
) -> Outcome:
    """Permanent errors fail at once; others retry until max_attempts, then the message is dead."""
    reason = describe(error)
    if error.permanent:
        return Outcome(FAILED, reason)
    if attempts >= max_attempts:
        return Outcome(DEAD, f"gave up after {attempts} attempts: {reason}")
    if error.retry_after is not None:
        # The provider said when (HTTP 429 Retry-After): sooner would only be refused again.
        wait = min(max(error.retry_after, 0.0), MAX_RETRY_AFTER)
    else:
        wait = backoff.delay(attempts, jitter=jitter)
    return Outcome(RETRY, reason, now + timedelta(seconds=wait))


def describe(error: DeliveryError) -> str:
    """The error as a baker or engineer reads it in `cloudcity outbox list`."""
    return f"{error} (HTTP {error.status})" if error.status is not None else str(error)
