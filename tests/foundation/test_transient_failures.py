"""A unit of work that meets a lost connection, a serialization failure or a deadlock is run
again; one whose COMMIT may have happened is repeated only when doing it twice is harmless.

On PostgreSQL the backend serving a request is terminated mid-transaction
(pg_terminate_backend from another connection): the client still gets its answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import event, orm

from cloudcity.db import Database, UnitOfWork
from cloudcity.db.models import Order
from cloudcity.db.retry import is_transient
from tests.support.api import counts, order_body
from tests.support.chat import Phone


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str | None = None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def driver_error(
    kind: type[sa.exc.DBAPIError], sqlstate: str | None = None, *, invalidated: bool = False
) -> sa.exc.DBAPIError:
    return kind("SELECT 1", {}, FakeDriverError(sqlstate), connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (driver_error(sa.exc.OperationalError, invalidated=True), True),
        (driver_error(sa.exc.OperationalError, "57P01"), True),  # pg_terminate_backend
        (driver_error(sa.exc.OperationalError, "08006"), True),
        (driver_error(sa.exc.OperationalError, "40001"), True),  # serialization failure
        (driver_error(sa.exc.OperationalError, "40P01"), True),  # deadlock
        (sa.exc.OperationalError("x", {}, Exception("database is locked")), True),
        (sa.exc.OperationalError("x", {}, Exception("no such table: orders")), False),
        (driver_error(sa.exc.IntegrityError, "23505"), False),
        (ValueError("not the database"), False),
    ],
)
def test_which_failures_are_worth_another_transaction(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def failing(times: int, error: Exception) -> Callable[[UnitOfWork], int]:
    calls: list[int] = []

    def work(uow: UnitOfWork) -> int:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return len(calls)

    return work


def test_a_transient_failure_runs_the_whole_unit_of_work_again(database: Database) -> None:
    assert database.run(failing(2, driver_error(sa.exc.OperationalError, "40001"))) == 3
    with pytest.raises(sa.exc.OperationalError):
        database.run(failing(3, driver_error(sa.exc.OperationalError, "40001")))
    with pytest.raises(sa.exc.IntegrityError):
        database.run(failing(1, driver_error(sa.exc.IntegrityError, "23505")))


def test_a_connection_lost_during_commit_is_repeated_only_when_repeatable(
    database: Database,
) -> None:
    lost = driver_error(sa.exc.OperationalError, invalidated=True)
    commits: list[int] = []

    def lose_the_first_commit(session: orm.Session) -> None:
        commits.append(1)
        if len(commits) == 1:
            raise lost

    event.listen(database.sessions, "before_commit", lose_the_first_commit)
    try:
        with pytest.raises(sa.exc.OperationalError):
            database.run(lambda uow: 1, repeatable=False)
        assert database.run(lambda uow: 2, repeatable=True) == 2
    finally:
        event.remove(database.sessions, "before_commit", lose_the_first_commit)


@pytest.fixture
def terminate_backend_at(
    database: Database, database_url: str, is_postgres: bool
) -> Iterator[Callable[[str], list[str]]]:
    """Arm: the first statement containing `marker` has its backend terminated first."""
    if not is_postgres:
        pytest.skip("terminates a PostgreSQL backend")
    killer = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    armed: list[str] = []
    done: list[str] = []

    def before(conn: sa.Connection, cursor: Any, statement: str, *_: Any) -> None:
        if armed and armed[0] in statement:
            marker = armed.pop()
            pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
            with killer.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            done.append(marker)

    event.listen(database.engine, "before_cursor_execute", before)

    def arm(marker: str) -> list[str]:
        armed[:] = [marker]
        return done

    yield arm
    event.remove(database.engine, "before_cursor_execute", before)
    killer.dispose()


@pytest.mark.parametrize("key", [None, "order-key-1"])
def test_an_order_survives_its_backend_terminated_mid_transaction(
    client: FlaskClient,
    session: orm.Session,
    terminate_backend_at: Callable[[str], list[str]],
    key: str | None,
) -> None:
    done = terminate_backend_at("INSERT INTO orders")
    headers = {"Idempotency-Key": key} if key else {}
    response = client.post("/api/order", json=order_body(), headers=headers)
    assert done == ["INSERT INTO orders"], "the backend was terminated"
    assert response.status_code == 201, response.json
    assert counts(session)[1] == 1
    order_id = response.json["order_id"]  # type: ignore[index]
    assert session.get(Order, order_id) is not None


def test_the_chat_answers_with_its_backend_terminated_mid_transaction(
    client: FlaskClient, terminate_backend_at: Callable[[str], list[str]]
) -> None:
    phone = Phone(client, "whatsapp:+14155550100")
    done = terminate_backend_at("INSERT INTO")
    reply = phone.say("hi")
    assert done == ["INSERT INTO"]
    assert reply
