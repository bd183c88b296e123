"""A busy shop for the admin load tests: customers ordering and chatting while bakers work.

Shared by the test-client and the gunicorn versions of the scenario (issue #11): what the
customers send, how every answer is collected from many threads, and how the database is
asked whether each baker's action was recorded exactly once.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import sqlalchemy as sa

from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Order, OrderEvent, OutboxMessage

READY, PICKED_UP = "ready", "picked_up"
PATIENCE = 60.0  # a thread still running after this long is stuck, not slow
CHATTER = ("hi", "a cake please", "what sizes are there?", "Medium", "chocolate", "thanks")


def order_body(n: int) -> dict[str, Any]:
    """A valid POST /api/order body from the n-th customer (a medium chocolate cake)."""
    return {
        "customer": {
            "number": f"whatsapp:+1415556{n:04d}",
            "name": f"Customer {n}",
            "email": f"customer{n}@example.com",
        },
        "cake": {
            "size": "Medium",
            "flavour": "Chocolate",
            "frosting": "Buttercream",
            "topping": "None",
        },
    }


def inbound(phone: str, body: str) -> dict[str, str]:
    """The form Twilio posts for one inbound WhatsApp message, with a fresh MessageSid."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "whatsapp:+14155238886",
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Ana",
    }


class Answer(Protocol):
    """A response from the test client or from requests: all we read is its status."""

    @property
    def status_code(self) -> int: ...


class Outcomes:
    """Every answer the threads got, by what was asked; and what raised instead of answering."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: list[tuple[str, int]] = []
        self.raised: list[tuple[str, BaseException]] = []

    def add(self, what: str, status: int) -> None:
        """Record one answer."""
        with self._lock:
            self.statuses.append((what, status))

    def fail(self, what: str, exc: BaseException) -> None:
        """Record a request that raised instead of answering."""
        with self._lock:
            self.raised.append((what, exc))

    def broken(self) -> list[tuple[str, object]]:
        """The server errors and exceptions: a test client raises what gunicorn answers 500."""
        errors: list[tuple[str, object]] = [(w, s) for w, s in self.statuses if s >= 500]
        return errors + [(w, repr(e)) for w, e in self.raised]

    def unexpected(self, expected: dict[str, int]) -> list[tuple[str, int]]:
        """Answers other than the one expected for their kind (the part before the first space)."""
        return [(w, s) for w, s in self.statuses if s != expected[w.split(" ", 1)[0]]]


def attempt(outcomes: Outcomes, what: str, send: Callable[[], Answer]) -> None:
    """Send one request and record its status, or what it raised instead of answering."""
    try:
        outcomes.add(what, send().status_code)
    except Exception as exc:  # the test client raises what a server would answer with a 500
        outcomes.fail(what, exc)


def run_together(outcomes: Outcomes, jobs: Iterable[Callable[[], None]]) -> None:
    """Start every job at once on its own thread and wait for all; exceptions are recorded."""
    jobs = list(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # asserted on by the test, in its own thread
            outcomes.fail(getattr(job, "__name__", "job"), exc)

    threads = [threading.Thread(target=run, args=(job,), daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
        assert not thread.is_alive(), "a thread is stuck"


def recorded(database: Database, order_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """Per order: how many `ready` events, `picked_up` events and ready messages it has."""
    ids = list(order_ids)
    events: Counter[tuple[int, str]] = Counter()
    messages: Counter[int] = Counter()
    with database.engine.connect() as connection:
        for order_id, kind, count in connection.execute(
            sa.select(OrderEvent.order_id, OrderEvent.kind, sa.func.count())
            .where(OrderEvent.order_id.in_(ids))
            .group_by(OrderEvent.order_id, OrderEvent.kind)
        ):
            events[order_id, kind] = count
        for order_id, count in connection.execute(
            sa.select(OutboxMessage.order_id, sa.func.count())
            .where(OutboxMessage.order_id.in_(ids), OutboxMessage.kind == "ready_message")
            .group_by(OutboxMessage.order_id)
        ):
            messages[order_id] = count
    return {i: (events[i, READY], events[i, PICKED_UP], messages[i]) for i in ids}


def count_orders(database: Database) -> int:
    """How many orders the database holds."""
    with database.engine.connect() as connection:
        found: int = connection.scalar(sa.select(sa.func.count()).select_from(Order)) or 0
        return found


def count_inbound(database: Database, sids: Iterable[str]) -> int:
    """How many of these inbound MessageSids the chat recorded."""
    with database.engine.connect() as connection:
        query = sa.select(sa.func.count()).where(ChatMessage.message_sid.in_(list(sids)))
        found: int = connection.scalar(query) or 0
        return found


def assert_rush_recorded(
    outcomes: Outcomes,
    database: Database,
    *,
    waiting: list[int],
    new_orders: int,
    sids: list[str],
    expected: dict[str, int],
) -> None:
    """After a rush: no broken or unexpected answer, each action once, every write kept."""
    assert outcomes.broken() == []
    assert outcomes.unexpected(expected) == []
    assert len(outcomes.statuses) == 2 * len(waiting) + 2 * new_orders + 2 * len(CHATTER)
    assert recorded(database, waiting) == dict.fromkeys(waiting, (1, 1, 1))
    assert count_orders(database) == len(waiting) + 2 * new_orders
    assert count_inbound(database, sids) == len(sids)
