"""The busy shop against one real gunicorn with two workers, configured as in production (#11).

Two bakers (created with `cloudcity admin create-user`) log in through the form with its CSRF
token and mark different orders ready and picked up, while customers place orders through
the API (Basic auth) and write through the signed Twilio webhook. Marked `serial`: it starts
processes (`-m "not serial"` leaves it out; it runs in the normal suite on both backends).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from cloudcity.db import Database
from tests.support.admin import PASSWORD, USERNAME
from tests.support.busy_shop import (
    CHATTER,
    Outcomes,
    assert_rush_recorded,
    attempt,
    inbound,
    order_body,
    run_together,
)

pytestmark = pytest.mark.serial

CLOUDCITY = Path(sys.executable).parent / "cloudcity"
SECOND = "baker2"
API_AUTH = ("studio", "studio-password-0123456789")
TWILIO_TOKEN = "gunicorn-test-auth-token-0123456789"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ORDERS, NEW_ORDERS = 12, 8
EXPECTED = {"admin": 302, "api": 201, "chat": 200}
TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _production_env(database_url: str, port: int, var_dir: Path) -> dict[str, str]:
    return os.environ | {
        "CLOUDCITY_ENV": "production",
        "CLOUDCITY_DATABASE_URL": database_url,
        "CLOUDCITY_HOST": "127.0.0.1",
        "CLOUDCITY_PORT": str(port),
        "CLOUDCITY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CLOUDCITY_SECRET_KEY": secrets.token_hex(32),
        "CLOUDCITY_API_USER": API_AUTH[0],
        "CLOUDCITY_API_PASSWORD": API_AUTH[1],
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "CLOUDCITY_RUN_WORKER_IN_APP": "false",
        "CLOUDCITY_VAR_DIR": str(var_dir),
        "CLOUDCITY_ADMIN_PASSWORD": PASSWORD,
    }


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or a worker still booting
        return False


@pytest.fixture
def shop(tmp_path: Path, database_url: str) -> Iterator[str]:
    """gunicorn with two workers on the test database, with two bakers; its base URL."""
    port = _free_port()
    env = _production_env(database_url, port, tmp_path / "var")
    for username in (USERNAME, SECOND):
        command = [str(CLOUDCITY), "admin", "create-user", username]
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=TIMEOUT)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(CLOUDCITY), "serve", "--prod", "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + TIMEOUT
            while not _up(base + "/healthz"):
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.1)
            yield base
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=TIMEOUT)


def _csrf_token(page: requests.Response) -> str:
    found = TOKEN.search(page.text)
    assert found is not None, f"no csrf_token on {page.url}"
    return found.group(1)


class Browser:
    """A baker's browser: logged in through the form, holding its session's CSRF token."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.session = requests.Session()
        form = {
            "csrf_token": _csrf_token(self.session.get(base + "/admin/login", timeout=TIMEOUT)),
            "username": username,
            "password": PASSWORD,
        }
        logged_in = self.session.post(
            base + "/admin/login", data=form, allow_redirects=False, timeout=TIMEOUT
        )
        assert logged_in.status_code == 302, logged_in.text
        self.token = _csrf_token(self.session.get(base + "/admin/orders", timeout=TIMEOUT))

    def act(self, order_id: int, action: str) -> requests.Response:
        """Press an action button on the order's page."""
        return self.session.post(
            f"{self.base}/admin/orders/{order_id}/{action}",
            data={"csrf_token": self.token},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def _place(base: str, n: int) -> requests.Response:
    return requests.post(base + "/api/order", json=order_body(n), auth=API_AUTH, timeout=TIMEOUT)


def _text(base: str, form: dict[str, str]) -> requests.Response:
    url = base + "/twilio/messages"  # the public URL Twilio signs
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    headers = {"X-Twilio-Signature": signature}
    return requests.post(url, data=form, headers=headers, timeout=TIMEOUT)


def _baker_works(outcomes: Outcomes, baker: Browser, order_ids: list[int]) -> Callable[[], None]:
    def work() -> None:
        for order_id in order_ids:
            for action in ("ready", "picked-up"):
                send = partial(baker.act, order_id, action)
                attempt(outcomes, f"admin {action} #{order_id}", send)

    return work


def _customers_order(outcomes: Outcomes, base: str, first: int) -> Callable[[], None]:
    def work() -> None:
        for n in range(first, first + NEW_ORDERS):
            attempt(outcomes, "api order", partial(_place, base, n))

    return work


def _customer_chats(
    outcomes: Outcomes, base: str, phone: str, sids: list[str]
) -> Callable[[], None]:
    def work() -> None:
        for body in CHATTER:
            form = inbound(phone, body)
            sids.append(form["MessageSid"])
            attempt(outcomes, "chat", partial(_text, base, form))

    return work


def test_two_bakers_on_gunicorn_while_customers_order_and_chat(
    shop: str, database: Database
) -> None:
    placed = [_place(shop, n) for n in range(ORDERS)]
    assert [r.status_code for r in placed] == [201] * ORDERS
    waiting = [int(r.json()["order_id"]) for r in placed]
    bakers = [Browser(shop, USERNAME), Browser(shop, SECOND)]
    outcomes, sids = Outcomes(), []
    jobs = [_baker_works(outcomes, baker, waiting[i::2]) for i, baker in enumerate(bakers)]
    jobs += [_customers_order(outcomes, shop, 100 * k) for k in (1, 2)]
    jobs += [_customer_chats(outcomes, shop, f"whatsapp:+1415557000{k}", sids) for k in (1, 2)]

    run_together(outcomes, jobs)

    assert_rush_recorded(
        outcomes, database, waiting=waiting, new_orders=NEW_ORDERS, sids=sids, expected=EXPECTED
    )
