"""The deliveries page: outbox messages by status, and retrying failed or dead ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.base import utcnow
from cloudcity.db.models import OutboxMessage
from cloudcity.outbox.manage import OutboxError as RetryError
from cloudcity.outbox.manage import retry_message
from cloudcity.queries.messages import count_by_status, list_messages
from tests.conftest import uow_on
from tests.support.admin import AuthActions

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def add_message(
    session: orm.Session,
    *,
    status: str,
    key: str,
    attempts: int = 0,
    last_error: str | None = None,
) -> OutboxMessage:
    """An outbox row in a given state."""
    message = OutboxMessage(
        kind="ready_message",
        idempotency_key=key,
        recipient="whatsapp:+15555550100",
        payload={},
        status=status,
        attempts=attempts,
        last_error=last_error,
        next_attempt_at=LONG_AGO + timedelta(days=30),
        locked_until=LONG_AGO if status == "failed" else None,
        locked_by="worker-1" if status == "failed" else None,
    )
    session.add(message)
    session.flush()
    return message


def test_retry_puts_a_dead_message_back_in_the_queue(session: orm.Session) -> None:
    dead = add_message(session, status="dead", key="k1", attempts=8, last_error="HTTP 400")
    before = utcnow()
    retry_message(uow=uow_on(session), message_id=dead.id, now=utcnow())
    assert dead.status == "pending"
    assert dead.attempts == 0
    assert before <= dead.next_attempt_at <= utcnow()
    assert dead.locked_until is None


def test_retry_unlocks_a_failed_message(session: orm.Session) -> None:
    failed = add_message(session, status="failed", key="k1", attempts=2, last_error="timeout")
    retry_message(uow=uow_on(session), message_id=failed.id, now=utcnow())
    assert (failed.status, failed.attempts, failed.locked_by) == ("pending", 0, None)


@pytest.mark.parametrize("status", ["pending", "sent"])
def test_only_failed_or_dead_messages_can_be_retried(session: orm.Session, status: str) -> None:
    message = add_message(session, status=status, key="k1")
    with pytest.raises(RetryError, match="only failed or dead"):
        retry_message(uow=uow_on(session), message_id=message.id, now=utcnow())
    assert message.status == status


def test_retrying_a_missing_message_is_refused(session: orm.Session) -> None:
    with pytest.raises(RetryError, match="there is no outbox message 424242"):
        retry_message(uow=uow_on(session), message_id=424242, now=utcnow())


def test_messages_by_status_newest_first_in_pages(session: orm.Session) -> None:
    for n in range(5):
        add_message(session, status="sent", key=f"sent-{n}")
    add_message(session, status="dead", key="dead-0")
    page = list_messages(session, status="sent", page=2, per_page=2)
    assert [m.idempotency_key for m in page.messages] == ["sent-2", "sent-1"]
    assert (page.total, page.pages) == (5, 3)
    counts = {
        "pending": 0,
        "sending": 0,
        "retry": 0,
        "sent": 5,
        "failed": 0,
        "dead": 1,
        "cancelled": 0,
    }
    assert count_by_status(session) == counts


# The /admin/messages page ------------------------------------------------------------


def test_deliveries_need_a_login(client: FlaskClient, session: orm.Session) -> None:
    dead = add_message(session, status="dead", key="k1")
    session.commit()
    assert client.get("/admin/messages").status_code == 302
    assert client.post(f"/admin/messages/{dead.id}/retry").status_code == 401
    assert status_of(session, dead.id) == "dead"


def test_the_page_is_named_messages_sent_and_the_old_address_redirects(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    dead = add_message(session, status="dead", key="k1")
    session.commit()
    auth.login()
    page = client.get("/admin/messages?status=dead").get_data(as_text=True)
    assert "<title>Messages sent · Cloud City</title>" in page
    assert "<h1>Messages sent</h1>" in page
    assert '<a href="/admin/messages">Messages sent</a>' in page
    assert "Deliveries" not in page
    assert f'action="/admin/messages/{dead.id}/retry"' in page
    moved = client.get("/admin/deliveries?status=dead&page=1")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/admin/messages?status=dead&page=1"
    old_retry = auth.post(f"/admin/deliveries/{dead.id}/retry", data={"status": "dead"})
    assert old_retry.status_code == 303
    assert old_retry.headers["Location"] == "/admin/messages?status=dead"
    assert status_of(session, dead.id) == "pending"


def test_tabs_show_counts_and_failed_rows_show_their_error(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    add_message(session, status="failed", key="k1", attempts=3, last_error="HTTP 503 <busy>")
    add_message(session, status="sent", key="k2")
    session.commit()
    auth.login()
    page = client.get("/admin/messages?status=failed").get_data(as_text=True)
    assert "Failed <span" in page
    assert "(1)</span>" in page
    assert "HTTP 503 &lt;busy&gt;" in page
    assert "Retry</button>" in page
    sent = client.get("/admin/messages?status=sent").get_data(as_text=True)
    assert "Retry</button>" not in sent
    assert "Last error" not in sent


def test_deliveries_are_paginated_newest_first(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    for n in range(55):
        add_message(session, status="pending", key=f"k{n:02d}")
    session.commit()
    auth.login()
    first = client.get("/admin/messages?status=pending").get_data(as_text=True)
    second = client.get("/admin/messages?status=pending&page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert first.index('<td class="num" data-label="#">55</td>') < first.index(
        '<td class="num" data-label="#">54</td>'
    )
    assert '<td class="num" data-label="#">6</td>' in first
    assert '<td class="num" data-label="#">5</td>' in second
    assert '<td class="num" data-label="#">6</td>' not in second


def test_retry_button_requeues_the_message(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    dead = add_message(session, status="dead", key="k1", attempts=8, last_error="bad number")
    session.commit()
    auth.login()
    response = client.post(f"/admin/messages/{dead.id}/retry", data={"status": "dead"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/messages?status=dead"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is queued to be sent again" in page
    session.expire_all()
    again = session.get(OutboxMessage, dead.id)
    assert again is not None
    # As `cloudcity outbox retry`: a full set of attempts, not one try before it is dead again.
    assert (again.status, again.attempts) == ("pending", 0)
    session.commit()


def test_retrying_a_sent_message_is_refused(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    sent = add_message(session, status="sent", key="k1")
    session.commit()
    auth.login()
    response = client.post(f"/admin/messages/{sent.id}/retry", data={"status": "sent"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only failed or dead messages can be retried" in page
    assert status_of(session, sent.id) == "sent"


@pytest.mark.usefixtures("csrf")
def test_retry_needs_a_csrf_token(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    dead = add_message(session, status="dead", key="k1")
    session.commit()
    auth.login()
    assert client.post(f"/admin/messages/{dead.id}/retry").status_code == 400
    assert status_of(session, dead.id) == "dead"
    assert auth.post(f"/admin/messages/{dead.id}/retry").status_code == 303
    assert status_of(session, dead.id) == "pending"


def status_of(session: orm.Session, outbox_id: int) -> str:
    """A message's status as the database has it now (the read transaction ended)."""
    found = session.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.id == outbox_id))
    session.commit()
    assert found is not None
    return found


def test_retrying_a_missing_message_changes_nothing(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    dead = add_message(session, status="dead", key="k1")
    session.commit()
    auth.login()
    response = client.post("/admin/messages/424242/retry", data={"status": "dead"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "there is no outbox message 424242" in page
    assert status_of(session, dead.id) == "dead"
    assert client.post("/admin/messages/99999999999999999999/retry").status_code == 404


def test_messages_waiting_to_be_retried_show_their_error(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    add_message(session, status="retry", key="k1", attempts=2, last_error="HTTP 503 busy")
    session.commit()
    auth.login()
    tabs = client.get("/admin/messages").get_data(as_text=True)
    assert "Retrying <span" in tabs and "Sending <span" in tabs
    page = client.get("/admin/messages?status=retry").get_data(as_text=True)
    assert "HTTP 503 busy" in page
    assert "Retry</button>" not in page  # the worker tries it again by itself


def test_a_page_past_the_end_shows_the_last_page(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    add_message(session, status="dead", key="k1")
    session.commit()
    auth.login()
    for page in ("99999999999999999999", "-3", "abc"):
        response = client.get(f"/admin/messages?status=dead&page={page}")
        assert response.status_code == 200
        assert "Page 1 of 1" in response.get_data(as_text=True)
