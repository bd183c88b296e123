"""Chat fixtures: signed webhook phones and the app's fake clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity.config import Settings
from tests.support.chat import TOKEN, Phone
from tests.support.clock import FakeClock, on_clock


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with a Twilio auth token, so webhooks must be signed."""
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock, standing still until a test moves it."""
    return FakeClock()


@pytest.fixture
def app(app: Flask, clock: FakeClock) -> Flask:
    """The app under test, on the fake clock."""
    return on_clock(app, clock)


@pytest.fixture
def phone(client: FlaskClient) -> Callable[..., Phone]:
    """Make a customer's phone: phone("whatsapp:+14155550100")."""

    def make(address: str = "whatsapp:+14155550100", **options: str) -> Phone:
        return Phone(client, address, **options)

    return make
