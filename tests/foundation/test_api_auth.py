"""HTTP Basic auth on the JSON API when credentials are configured."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient
from pydantic import SecretStr

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app
from tests.support.api import order_body


@pytest.fixture
def locked_client(settings: Settings, database: Database) -> FlaskClient:
    """A client for an app whose API requires studio:s3cret-pass."""
    locked = settings.model_copy(
        update={"api_user": "studio", "api_password": SecretStr("s3cret-pass")}
    )
    return create_app(locked, database=database).test_client()


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/flavours"), ("get", "/api/pricecalculator"), ("post", "/api/order")],
)
def test_endpoints_refuse_requests_without_credentials(
    locked_client: FlaskClient, method: str, path: str
) -> None:
    response = getattr(locked_client, method)(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json["error"]


def test_wrong_password_is_refused(locked_client: FlaskClient) -> None:
    response = locked_client.get("/api/flavours", headers=_basic("studio", "nope"))
    assert response.status_code == 401


def test_right_credentials_get_in(locked_client: FlaskClient) -> None:
    headers = _basic("studio", "s3cret-pass")
    assert locked_client.get("/api/flavours", headers=headers).status_code == 200
    response = locked_client.post("/api/order", json=order_body(), headers=headers)
    assert response.status_code == 201


def test_health_and_openapi_stay_open(locked_client: FlaskClient) -> None:
    assert locked_client.get("/healthz").status_code == 200
    assert locked_client.get("/api/openapi.json").status_code == 200
