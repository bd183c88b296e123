"""Reference photo fixtures: local servers standing in for Twilio's media host and its CDN,
settings that allow only those two, signed webhook phones, a worker and a logged-in baker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity import admins
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.worker import Worker
from tests.support.admin import PASSWORD, USERNAME, AuthActions
from tests.support.chat import TOKEN, Phone
from tests.support.clock import TUESDAY_10AM, FakeClock, on_clock
from tests.support.fakes import FakeEmailSender, FakeMessageSender, FakeRenderer
from tests.support.media_host import MediaHost

SID = "AC" + "1" * 32
MAX_BYTES = 64 * 1024


@pytest.fixture
def api() -> Iterator[MediaHost]:
    """Twilio's API host: media URLs live here, behind the account's credentials."""
    with MediaHost(credentials=(SID, TOKEN)) as host:
        yield host


@pytest.fixture
def cdn() -> Iterator[MediaHost]:
    """Twilio's media CDN: the API redirects to signed URLs here, which need no credentials."""
    with MediaHost() as host:
        yield host


@pytest.fixture
def elsewhere() -> Iterator[MediaHost]:
    """A server that is not Twilio's: nothing may be fetched from it."""
    with MediaHost() as host:
        yield host


@pytest.fixture
def settings(settings: Settings, api: MediaHost, cdn: MediaHost) -> Settings:
    """Twilio's keys (webhooks signed), the two stand-in hosts allowed, a small size limit."""
    return settings.model_copy(
        update={
            "twilio_account_sid": SID,
            "twilio_auth_token": SecretStr(TOKEN),
            "photo_hosts": f"{api.url}, {cdn.url}",
            "photo_max_bytes": MAX_BYTES,
            "photo_fetch_timeout_seconds": 10.0,
        }
    )


@pytest.fixture
def clock() -> FakeClock:
    """The app's and the worker's clock."""
    return FakeClock(TUESDAY_10AM)


@pytest.fixture
def app(app: Flask, clock: FakeClock) -> Flask:
    """The app under test, on the fake clock, CSRF off (forms are not what is tested here)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return on_clock(app, clock)


@pytest.fixture
def phone(client: FlaskClient) -> Callable[..., Phone]:
    """Make a customer's phone on the signed webhook."""

    def make(address: str = "whatsapp:+14155550100") -> Phone:
        return Phone(client, address)

    return make


@pytest.fixture
def worker(database: Database, settings: Settings, clock: FakeClock) -> Worker:
    """A worker with the real photo job and fake senders for the messages."""
    dispatcher = Dispatcher(
        email=FakeEmailSender(),
        messages=FakeMessageSender(),
        renderer=FakeRenderer(),
        settings=settings,
    )
    return Worker(database, dispatcher, settings, clock=clock, lease=60.0, jitter=lambda: 0.5)


@pytest.fixture
def auth(client: FlaskClient, database: Database) -> AuthActions:
    """A baker who can log in."""
    with database.unit_of_work() as uow:
        admins.create_user(uow=uow, username=USERNAME, password=PASSWORD)
    return AuthActions(client)
