"""Reminder fixtures: a shop open every day, orders placed with a pickup, a worker on a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

import pytest

from cloudcity.calendar.rules import CalendarRules, Interval, zone
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.orders import OrderRequest, place_order
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.worker import Worker
from cloudcity.phones import parse_address
from tests.support.clock import FakeClock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer
from tests.support.outbox import CAKE

SMS = "+14155550100"
WHATSAPP = "whatsapp:+14155550100"
TEMPLATE = "HX" + "fedcba9876543210" * 2


def open_every_day(tz_name: str) -> CalendarRules:
    """9:00-17:00 every day in `tz_name`, every other rule the default (48 h lead time)."""
    return CalendarRules(tz=zone(tz_name), hours=((Interval(time(9), time(17)),),) * 7)


def use_calendar(database: Database, rules: CalendarRules, *, now: datetime) -> None:
    """Store the shop's rules, as the admin would."""
    with database.unit_of_work() as uow:
        uow.calendar.save_rules(rules, now=now)


def place_for(
    database: Database,
    *,
    pickup_at: datetime | None,
    now: datetime,
    number: str = SMS,
    hour: int = 10,
    key: str | None = None,
) -> int:
    """Place an order through the use case with this pickup time; answers its id."""
    request = OrderRequest(
        address=parse_address(number),
        name="Ana Lima",
        email="ana@example.com",
        cake=CAKE,
        currency="USD",
        pickup_at=pickup_at,
        idempotency_key=key,
        fingerprint=key,
    )
    with database.unit_of_work() as uow:
        return place_order(uow=uow, request=request, now=now, reminder_hour=hour).order.id


@pytest.fixture
def fake_email() -> FakeEmailSender:
    """An email sender that records what it was given."""
    return FakeEmailSender()


@pytest.fixture
def fake_messages() -> FakeMessageSender:
    """A WhatsApp/SMS sender that records what it was given."""
    return FakeMessageSender()


@pytest.fixture
def make_worker(
    database: Database,
    settings: Settings,
    fake_email: FakeEmailSender,
    fake_messages: FakeMessageSender,
) -> Callable[..., Worker]:
    """A worker on the test database with fake senders, on the clock given (settings changed)."""

    def build(clock: FakeClock, **changes: Any) -> Worker:
        chosen = settings.model_copy(update=changes)
        dispatcher = Dispatcher(
            email=fake_email, messages=fake_messages, renderer=FakeRenderer(), settings=chosen
        )
        return Worker(database, dispatcher, chosen, clock=clock, jitter=lambda: 0.5, lease=60.0)

    return build
