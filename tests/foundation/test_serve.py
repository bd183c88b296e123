"""`cloudcity serve --prod`: gunicorn with two workers on a brand-new database answers orders."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.api import order_body

CLOUDCITY = Path(sys.executable).parent / "cloudcity"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except (urllib.error.URLError, OSError):
        return 0


def _post_json(url: str, body: object) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status), json.loads(response.read())


@pytest.mark.serial  # a real gunicorn with two workers, given 30 s to come up
def test_gunicorn_migrates_once_then_serves_orders(
    tmp_path: Path, database_url: str, is_postgres: bool
) -> None:
    # On SQLite start from nothing at all: a file in folders that don't exist yet.
    url = database_url if is_postgres else str(tmp_path / "fresh" / "cloudcity.db")
    port = _free_port()
    env = os.environ | {
        "CLOUDCITY_DATABASE_URL": url,
        "CLOUDCITY_PORT": str(port),
        "CLOUDCITY_RUN_WORKER_IN_APP": "false",
    }
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [str(CLOUDCITY), "serve", "--prod", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _get(base + "/healthz") != 200:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)
        statuses = [_post_json(base + "/api/order", order_body())[0] for _ in range(4)]
        assert statuses == [201] * 4
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    # The master migrated the new database exactly once, before forking; no worker did.
    assert output.count("Running upgrade  -> 0001") == (0 if is_postgres else 1)
    assert "Booting worker" in output
    assert output.rfind("Running upgrade") < output.index("Booting worker")


@pytest.mark.parametrize("argument", ["--workers=abc"])
def test_serve_rejects_bad_arguments(argument: str) -> None:
    result = subprocess.run(
        [str(CLOUDCITY), "serve", argument], capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "workers" in result.stderr
