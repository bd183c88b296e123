"""Inbox fixtures: customers writing through the signed webhook, a clock, a worker with fakes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from pydantic import SecretStr
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Conversation
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.worker import Worker
from tests.support.chat import TOKEN, Phone
from tests.support.clock import FakeClock, fake_clock_fixtures
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer

PUBLIC_URL = "https://cakes.example"
TEMPLATE_SID = "HX" + "a" * 32


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Signed webhooks (Twilio's auth token and our public URL) and the reply template."""
    return settings.model_copy(
        update={
            "twilio_auth_token": SecretStr(TOKEN),
            "public_url": PUBLIC_URL,
            "twilio_reply_content_sid": TEMPLATE_SID,
        }
    )


clock, app = fake_clock_fixtures()


@pytest.fixture
def phone(client: FlaskClient) -> Callable[..., Phone]:
    """Make a customer's phone writing to the shop: phone("whatsapp:+14155550100")."""

    def make(address: str = "whatsapp:+14155550100", **options: str) -> Phone:
        return Phone(client, address, url=f"{PUBLIC_URL}/twilio/messages", **options)

    return make


@pytest.fixture
def fake_messages() -> FakeMessageSender:
    """A WhatsApp/SMS sender that records what the worker gave it."""
    return FakeMessageSender()


@pytest.fixture
def worker(
    database: Database, settings: Settings, clock: FakeClock, fake_messages: FakeMessageSender
) -> Worker:
    """An outbox worker on the test database, the fake clock and the fake senders."""
    dispatcher = Dispatcher(
        email=FakeEmailSender(), messages=fake_messages, renderer=FakeRenderer(), settings=settings
    )
    return Worker(database, dispatcher, settings, clock=clock, jitter=lambda: 0.5, lease=60.0)


def conversation_of(session: orm.Session, address: str) -> Conversation:
    """The conversation with an address, as the database has it now."""
    session.rollback()  # a fresh snapshot: the app wrote in sessions of its own
    return session.scalars(sa.select(Conversation).where(Conversation.address == address)).one()
