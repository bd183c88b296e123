"""The login rate limit's counters: in Redis they are shared by every gunicorn worker.

The Redis tests use the local server (CLOUDCITY_TEST_REDIS_URL, default
redis://127.0.0.1:6379/0) and skip, saying why, when it is not running outside CI. Each test
logs in from an address of its own, so runs never share counters.
"""

from __future__ import annotations

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from flask import Flask

from cloudcity.config import Settings, SettingsError
from cloudcity.db import Database
from cloudcity.web import create_app
from tests.support.admin import PASSWORD, USERNAME

REDIS_URL = os.environ.get("CLOUDCITY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """The test Redis, or a skip (a failure under CI) when it is not reachable."""
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); start it to run this test")
    return REDIS_URL


def worker(settings: Settings, database: Database, storage: str) -> Flask:
    """One web worker's app, as each gunicorn worker builds its own."""
    config = Settings.model_validate({**settings.model_dump(), "ratelimit_storage_uri": storage})
    app = create_app(config, database=database)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


def attempt(app: Flask, address: str, password: str = "wrong password!") -> int:
    """One login from `address`; its HTTP status."""
    client = app.test_client()
    form = {"username": USERNAME, "password": password}
    return client.post("/admin/login", data=form, environ_base={"REMOTE_ADDR": address}).status_code


def an_address() -> str:
    """An address no other run uses (documentation range, random host part)."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.mark.usefixtures("admin_user")
def test_workers_share_the_count_in_redis(
    settings: Settings, database: Database, redis_url: str
) -> None:
    first, second = (worker(settings, database, redis_url) for _ in range(2))
    address = an_address()
    codes = [attempt(first, address) for _ in range(3)]
    codes += [attempt(second, address) for _ in range(2)]
    assert codes == [401] * 5
    assert attempt(first, address, PASSWORD) == 429
    assert attempt(second, an_address(), PASSWORD) == 302  # another address is not slowed


@pytest.mark.usefixtures("admin_user")
def test_an_unreachable_redis_still_limits_in_the_process(
    settings: Settings, database: Database
) -> None:
    app = worker(settings, database, "redis://127.0.0.1:1/0")
    address = an_address()
    assert [attempt(app, address) for _ in range(5)] == [401] * 5
    assert attempt(app, address, PASSWORD) == 429


def test_an_unknown_storage_is_refused_at_start_up(settings: Settings, database: Database) -> None:
    with pytest.raises(SettingsError, match="CLOUDCITY_RATELIMIT_STORAGE_URI"):
        worker(settings, database, "memcache-ish://nowhere")
