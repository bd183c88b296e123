"""A chunked body over the limit is refused with 413, on the dev server and under gunicorn."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.foundation.test_serve import CLOUDCITY, _free_port, _get
from tests.support.api import order_body


def post_chunked(port: int, body: bytes, path: str = "/api/order") -> int:
    """POST `body` in 16 KiB chunks without a Content-Length; the status, 0 if cut off."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    chunks = [body[i : i + 16384] for i in range(0, len(body), 16384)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sender = threading.Thread(target=_send, args=(sock, head + framed), daemon=True)
        sender.start()
        try:
            status_line = sock.makefile("rb").readline()
        except OSError:
            return 0
        sender.join(timeout=10)
    return int(status_line.split()[1]) if status_line else 0


def _send(sock: socket.socket, data: bytes) -> None:
    # The server may answer and close before reading it all: that is the point.
    with contextlib.suppress(OSError):
        sock.sendall(data)


def padded_order(extra: int) -> bytes:
    """A valid order followed by `extra` bytes of JSON whitespace."""
    return json.dumps(order_body()).encode() + b" " * extra


def check_server(port: int) -> None:
    assert post_chunked(port, padded_order(0)) == 201  # a small chunked order is fine
    assert post_chunked(port, padded_order(100_000)) == 413
    assert post_chunked(port, padded_order(3_000_000)) in (413, 0)  # never 201


@pytest.fixture
def dev_server(app: Flask) -> Iterator[int]:
    """The app on Werkzeug's threaded dev server, as `cloudcity serve` runs it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    thread.join(timeout=10)


def test_the_dev_server_refuses_an_oversized_chunked_body(dev_server: int) -> None:
    check_server(dev_server)


def test_gunicorn_refuses_an_oversized_chunked_body(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    env = os.environ | {
        "CLOUDCITY_DATABASE_URL": database_url,
        "CLOUDCITY_PORT": str(port),
        "CLOUDCITY_RUN_WORKER_IN_APP": "false",
        "CLOUDCITY_VAR_DIR": str(tmp_path / "var"),
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(CLOUDCITY), "serve", "--prod", "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while _get(f"http://127.0.0.1:{port}/healthz") != 200:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.2)
            check_server(port)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
