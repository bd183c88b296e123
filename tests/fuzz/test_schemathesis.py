"""Schemathesis (`st run --checks all`) against the live app: no 5xx, and every answer as the
OpenAPI document says, with API credentials configured and without.

Deterministic (`--generation-deterministic`): the same cases on every run, so it never flakes.
Takes about 10 s per configuration on SQLite. How long the answers take is measured by
`bench.api_fuzz` with the same cases, never here: a wall-clock limit in the suite fails whenever
the machine is busy (it did, once, on PostgreSQL beside the SQLite run).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app

ST = Path(sys.executable).parent / "st"
CONFIG = Path(__file__).with_name("schemathesis.toml")
USER, PASSWORD = "studio", "a-long-api-password"
EXAMPLES = 300  # per operation and phase


@pytest.fixture(params=["with API credentials", "open API"])
def api_app(request: pytest.FixtureRequest, settings: Settings, database: Database) -> Flask:
    """The app as deployed with Basic auth, or as run locally with an open API."""
    credentials = {"api_user": USER, "api_password": PASSWORD}
    changes = credentials if request.param == "with API credentials" else {}
    configured = Settings.model_validate({**settings.model_dump(), **changes})
    return create_app(configured, database=database)


@pytest.fixture
def live_url(api_app: Flask) -> Iterator[str]:
    """The app served on a free port by Werkzeug's threaded server."""
    server = make_server("127.0.0.1", 0, api_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_api_survives_schemathesis(api_app: Flask, live_url: str, tmp_path: Path) -> None:
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_url}/api/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",
        "--no-color",
    ]
    if api_app.extensions["cloudcity"].settings.api_auth:
        command += ["--auth", f"{USER}:{PASSWORD}"]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
