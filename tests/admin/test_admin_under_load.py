"""Bakers' actions while other writers commit: never a 500, each action recorded once (#11).

Before the unit of work owned its session, the admin guard loaded the baker through the
request's session, so an action began on that read snapshot; a commit by anyone in between
made SQLite refuse the upgrade with "database is locked". These tests go through the admin
views (logged in, CSRF on) while the API and the Twilio webhook write at the same time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from functools import partial

import pytest
from click.testing import CliRunner
from flask import Flask, request
from werkzeug.test import TestResponse

from cloudcity.cli import main
from cloudcity.db import Database
from tests.support.admin import PASSWORD, USERNAME, AuthActions
from tests.support.busy_shop import (
    CHATTER,
    PATIENCE,
    Outcomes,
    assert_rush_recorded,
    attempt,
    inbound,
    order_body,
    recorded,
    run_together,
)

SECOND = "baker2"
ORDERS = 12  # waiting for the bakers when the rush starts; each baker takes every other one
NEW_ORDERS = 8  # placed through the API by each of two customers' threads during the rush
EXPECTED = {"admin": 302, "api": 201, "chat": 200}


class Baker:
    """A logged-in baker's browser: a test client with a CSRF token for its session."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        auth = AuthActions(self.client)
        assert auth.login(username, PASSWORD).status_code == 302
        self.token = auth.csrf_token()

    def act(self, order_id: int, action: str) -> TestResponse:
        """POST an action button of the order's page."""
        form = {"csrf_token": self.token}
        return self.client.post(f"/admin/orders/{order_id}/{action}", data=form)


@pytest.fixture
def bakers(app: Flask, csrf: None, admin_user: str, runner: CliRunner) -> list[Baker]:
    """Two bakers logged in on two browsers; the second created with the CLI."""
    created = runner.invoke(
        main, ["admin", "create-user", SECOND], env={"CLOUDCITY_ADMIN_PASSWORD": PASSWORD}
    )
    assert created.exit_code == 0, created.output
    return [Baker(app, USERNAME), Baker(app, SECOND)]


def _place(app: Flask, n: int) -> int:
    response = app.test_client().post("/api/order", json=order_body(n))
    assert response.status_code == 201, response.get_json()
    order_id: int = response.get_json()["order_id"]
    return order_id


def _baker_works(outcomes: Outcomes, baker: Baker, order_ids: list[int]) -> Callable[[], None]:
    def work() -> None:
        for order_id in order_ids:
            for action in ("ready", "picked-up"):
                attempt(
                    outcomes, f"admin {action} #{order_id}", partial(baker.act, order_id, action)
                )

    return work


def _customer_orders(outcomes: Outcomes, app: Flask, first: int) -> Callable[[], None]:
    def work() -> None:
        client = app.test_client()
        for n in range(first, first + NEW_ORDERS):
            attempt(outcomes, "api order", partial(client.post, "/api/order", json=order_body(n)))

    return work


def _customer_chats(
    outcomes: Outcomes, app: Flask, phone: str, sids: list[str]
) -> Callable[[], None]:
    def work() -> None:
        client = app.test_client()
        for body in CHATTER:
            form = inbound(phone, body)
            sids.append(form["MessageSid"])
            attempt(outcomes, "chat", partial(client.post, "/twilio/messages", data=form))

    return work


def test_two_bakers_work_through_orders_while_customers_order_and_chat(
    app: Flask, bakers: list[Baker], database: Database
) -> None:
    waiting = [_place(app, n) for n in range(ORDERS)]
    outcomes, sids = Outcomes(), []
    jobs = [_baker_works(outcomes, baker, waiting[i::2]) for i, baker in enumerate(bakers)]
    jobs += [_customer_orders(outcomes, app, 100 * k) for k in (1, 2)]
    jobs += [_customer_chats(outcomes, app, f"whatsapp:+1415557000{k}", sids) for k in (1, 2)]

    run_together(outcomes, jobs)

    assert_rush_recorded(
        outcomes, database, waiting=waiting, new_orders=NEW_ORDERS, sids=sids, expected=EXPECTED
    )


def test_another_bakers_commit_between_the_guard_and_the_action_does_not_fail_it(
    app: Flask, bakers: list[Baker], database: Database
) -> None:
    mine, theirs = _place(app, 1), _place(app, 2)
    first, second = bakers
    answered: list[int] = []

    def other_baker_commits() -> None:
        # Runs after the admin guard has loaded the baker: the snapshot the old code wrote on.
        if request.method != "POST" or answered:
            return
        answered.append(0)  # the other baker's own request passes through here too
        other = threading.Thread(
            target=lambda: answered.append(second.act(theirs, "ready").status_code)
        )
        other.start()
        other.join(PATIENCE)

    app.before_request_funcs.setdefault("admin", []).append(other_baker_commits)

    assert first.act(mine, "ready").status_code == 302
    assert answered == [0, 302]
    assert recorded(database, [mine, theirs]) == {mine: (1, 0, 1), theirs: (1, 0, 1)}


def test_an_admin_action_waits_for_a_write_lock_held_elsewhere(
    app: Flask, bakers: list[Baker], database: Database, database_url: str, is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("SQLite only: on PostgreSQL writers wait on row locks, not on the file")
    order_id, hold = _place(app, 1), 0.5
    answered: list[object] = []

    def mark_ready() -> None:
        try:
            answered.append(bakers[0].act(order_id, "ready").status_code)
        except Exception as exc:  # re-checked below, in the test's thread
            answered.append(repr(exc))

    with closing(sqlite3.connect(database_url, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE admin_users SET last_login_at = CURRENT_TIMESTAMP")
        baker = threading.Thread(target=mark_ready, daemon=True)
        started = time.monotonic()
        baker.start()
        baker.join(hold)
        assert baker.is_alive(), f"did not wait for the lock: {answered}"
        other.execute("COMMIT")
        baker.join(PATIENCE)
    assert answered == [302]
    assert time.monotonic() - started >= hold
    assert recorded(database, [order_id]) == {order_id: (1, 0, 1)}
