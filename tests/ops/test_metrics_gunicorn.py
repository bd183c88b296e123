"""/metrics under gunicorn: every process's counters, web workers' and the outbox worker's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.foundation.test_serve import CLOUDCITY, _free_port, _get
from tests.support.api import order_body
from tests.support.workers import wait_until, worker_env, worker_starter

pytestmark = pytest.mark.serial  # a real gunicorn with two workers and a worker process

ORDERS = 4


def test_counters_of_all_processes_add_up_in_every_scrape(
    tmp_path: Path, database_url: str
) -> None:
    port = _free_port()
    env = worker_env(database_url, tmp_path, CLOUDCITY_PORT=str(port))
    env["CLOUDCITY_RUN_WORKER_IN_APP"] = "false"
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("w") as log, worker_starter(env, tmp_path) as start:
        server = subprocess.Popen(
            [str(CLOUDCITY), "serve", "--prod", "--workers", "2"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(lambda: _get(base + "/healthz") == 200, "gunicorn comes up")
            start()
            for _ in range(ORDERS):
                _post_json(base + "/api/order", order_body())
            sent = 'cloudcity_outbox_send_attempts_total{kind="receipt_email",provider="local"}'
            wait_until(lambda: _scrape(base).get(sent) == ORDERS, "the worker sends")
            for _ in range(6):  # each scrape may be answered by either gunicorn worker
                assert _scrape(base)['cloudcity_orders_placed_total{source="api"}'] == ORDERS
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    assert list((tmp_path / "var" / "metrics").glob("counter_*.db"))


def _scrape(base: str) -> dict[str, float]:
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        text = response.read().decode()
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


def _post_json(url: str, body: object) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
