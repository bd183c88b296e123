"""Prometheus metrics: counters kept by each process, figures read from the database per scrape.

Under gunicorn (and for `cloudcity worker` on the same machine) every process writes its
counters to files in PROMETHEUS_MULTIPROC_DIR (`<var>/metrics`, see `metrics_folder`), and a
scrape adds them up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from cloudcity.clock import Clock
from cloudcity.db import Database
from cloudcity.metrics_folder import MULTIPROC_ENV
from cloudcity.providers.ports import DeliveryError
from cloudcity.readiness import Limits, Readiness, check_readiness

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "cloudcity_http_requests", "HTTP requests answered.", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "cloudcity_http_request_duration_seconds", "Time to answer a request.", ["endpoint", "status"]
)
ORDERS_PLACED = Counter("cloudcity_orders_placed", "Orders placed.", ["source"])
CHAT_MESSAGES = Counter(
    "cloudcity_chat_messages", "Chat messages received (in) and replied (out).", ["direction"]
)
SEND_ATTEMPTS = Counter(
    "cloudcity_outbox_send_attempts", "Messages handed to a provider.", ["provider", "kind"]
)
SEND_FAILURES = Counter(
    "cloudcity_outbox_send_failures",
    "Sends that failed, by provider and class of error.",
    ["provider", "error_class"],
)
PDF_RENDER = Histogram(
    "cloudcity_pdf_render_seconds",
    "Time to render one PDF invoice.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def error_class(error: Exception) -> str:
    """A few words for what went wrong in a send, few enough to be a label."""
    if not isinstance(error, DeliveryError):
        return "unexpected"
    if error.status == 429:
        return "throttled"
    if error.permanent:
        return "rejected"
    if error.status is not None and error.status >= 500:
        return "provider_error"
    return "network" if error.status is None else "other"


class DatabaseFigures(Collector):
    """What only the database knows, read at scrape time: outbox depth, ages, heartbeats."""

    def __init__(self, database: Database, clock: Clock, limits: Limits) -> None:
        self.database = database
        self.clock = clock
        self.limits = limits

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One read session per scrape; nothing is kept between scrapes.

        With the database down, only `cloudcity_database_up 0`: the scrape still answers,
        with every process's counters, instead of failing whole.
        """
        try:
            with self.database.reading() as reading:
                depth = reading.outbox.depth()
                found = check_readiness(reading, now=self.clock(), limits=self.limits)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            yield _gauge(DATABASE_UP, DATABASE_UP_HELP, 0)
            return
        yield _gauge(DATABASE_UP, DATABASE_UP_HELP, 1)
        yield from _outbox_figures(depth, found)


DATABASE_UP = "cloudcity_database_up"
DATABASE_UP_HELP = "1 when the database answered this scrape, 0 when it did not."


def _outbox_figures(
    depth: dict[tuple[str, str], int], found: Readiness
) -> Iterator[GaugeMetricFamily]:
    by_kind = GaugeMetricFamily(
        "cloudcity_outbox_messages",
        "Outbox messages not sent (nor cancelled), by kind and status.",
        labels=["kind", "status"],
    )
    for (kind, status), count in sorted(depth.items()):
        by_kind.add_metric([kind, status], count)
    yield by_kind
    yield _gauge("cloudcity_outbox_due", "Messages due to be sent now.", found.due)
    yield _gauge(
        "cloudcity_outbox_oldest_due_age_seconds",
        "How long the oldest due message has waited (0 when none is due).",
        found.oldest_due_seconds or 0.0,
    )
    yield _gauge(
        "cloudcity_worker_heartbeat_age_seconds",
        "Seconds since any outbox worker's last heartbeat (+Inf when none ever beat).",
        float("inf") if found.heartbeat_age_seconds is None else found.heartbeat_age_seconds,
    )
    yield _gauge(
        "cloudcity_outbox_dead_recent",
        "Messages that gave up (dead) within CLOUDCITY_READY_DEAD_HOURS.",
        found.dead_recent,
    )
    yield _gauge(
        "cloudcity_outbox_oldest_retrying_age_seconds",
        "Since the first attempt of the oldest message still being retried (0 when none is).",
        found.oldest_retrying_seconds or 0.0,
    )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition(figures: DatabaseFigures) -> bytes:
    """The text a scrape answers: every process's counters, then the database's figures."""
    if MULTIPROC_ENV in os.environ:
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
        kept = generate_latest(counters)
    else:
        kept = generate_latest(REGISTRY)
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(figures)
    return kept + generate_latest(scraped)
