"""The admin's banner: shown on every page while messages wait and no worker is alive."""

from __future__ import annotations

from flask.testing import FlaskClient

from cloudcity.db import Database
from cloudcity.db.base import utcnow
from tests.support.admin import AuthActions
from tests.support.outbox import place

BANNER = 'class="flash flash-error trouble"'


def test_no_banner_while_all_is_well(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert BANNER not in client.get("/admin/orders").get_data(as_text=True)


def test_banner_while_messages_wait_for_a_worker(
    client: FlaskClient, auth: AuthActions, database: Database
) -> None:
    place(database)
    auth.login()
    page = client.get("/admin/").get_data(as_text=True)
    assert BANNER in page
    assert "no outbox worker has sent a heartbeat ever" in page
    with database.unit_of_work() as uow:
        uow.heartbeats.beat("worker-1", now=utcnow())
    assert BANNER not in client.get("/admin/").get_data(as_text=True)


def test_no_banner_on_the_login_page(client: FlaskClient, database: Database) -> None:
    place(database)
    assert BANNER not in client.get("/admin/login").get_data(as_text=True)
