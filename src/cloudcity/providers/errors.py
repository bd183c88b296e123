"""How an HTTP failure maps to a DeliveryError: which ones are worth retrying, and when."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from cloudcity.providers.ports import DeliveryError

TEMPORARY_4XX = frozenset({408, 425, 429})
MAX_RETRY_AFTER = 24 * 3600.0


def is_temporary(status: int | None) -> bool:
    """True for statuses that a later retry may get past: 5xx, timeouts and rate limits."""
    return status is None or status >= 500 or status in TEMPORARY_4XX


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def http_error(
    provider: str, status: int, detail: str, *, retry_after: str | None = None
) -> DeliveryError:
    """A DeliveryError for an HTTP error answer from a provider."""
    temporary = is_temporary(status)
    return DeliveryError(
        f"{provider} answered HTTP {status}: {detail}",
        permanent=not temporary,
        retry_after=retry_after_seconds(retry_after) if temporary else None,
        status=status,
    )


def transport_error(provider: str, exc: BaseException) -> DeliveryError:
    """A DeliveryError for a connection failure or timeout: always worth retrying."""
    return DeliveryError(
        f"could not reach {provider}: {type(exc).__name__}: {exc}", permanent=False
    )
