"""Chat fixtures: signed webhook phones and the app's fake clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity.config import Settings
from tests.support.chat import TOKEN, Phone
from tests.support.clock import fake_clock_fixtures


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with a Twilio auth token, so webhooks must be signed."""
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


clock, app = fake_clock_fixtures()


@pytest.fixture
def phone(client: FlaskClient) -> Callable[..., Phone]:
    """Make a customer's phone: phone("whatsapp:+14155550100")."""

    def make(address: str = "whatsapp:+14155550100", **options: str) -> Phone:
        return Phone(client, address, **options)

    return make
