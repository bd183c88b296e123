"""`cloudcity outbox list|retry` and `cloudcity worker`, run as a person would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudcity.cli import main
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.outbox.queue import READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker
from tests.support.fakes import FakeEmailSender, FakeRenderer, bad_request
from tests.support.outbox import enqueue_text, only, place


@pytest.fixture
def renderer() -> FakeRenderer:
    """The commands are under test here, not the documents."""
    return FakeRenderer()


@pytest.fixture
def failed_receipt(
    database: Database, make_worker: Callable[..., Worker], fake_email: FakeEmailSender
) -> int:
    """The id of a receipt SendGrid refused."""
    place(database)
    fake_email.fail_next(bad_request())
    make_worker().run_once()
    return only(database, RECEIPT_EMAIL).id


def test_list_says_when_nothing_is_waiting(runner: CliRunner) -> None:
    result = runner.invoke(main, ["outbox", "list"])
    assert result.exit_code == 0, result.output
    assert "nothing waiting" in result.output


def test_list_shows_failed_messages_with_their_last_error(
    runner: CliRunner, failed_receipt: int
) -> None:
    result = runner.invoke(main, ["outbox", "list"])
    assert result.exit_code == 0, result.output
    assert f"{failed_receipt}  failed   receipt_email" in result.output
    assert "last error: the recipient address is invalid (HTTP 400)" in result.output


def test_retry_puts_a_failed_message_back_and_the_worker_sends_it(
    runner: CliRunner,
    database: Database,
    failed_receipt: int,
    make_worker: Callable[..., Worker],
    fake_email: FakeEmailSender,
) -> None:
    result = runner.invoke(main, ["outbox", "retry", str(failed_receipt)])
    assert result.exit_code == 0, result.output
    row = only(database, RECEIPT_EMAIL)
    assert (row.status, row.attempts) == ("pending", 0)
    make_worker().run_once()
    assert only(database, RECEIPT_EMAIL).status == "sent"
    assert len(fake_email.sent) == 1


def test_retry_refuses_a_message_that_did_not_fail(
    runner: CliRunner, database: Database, make_worker: Callable[..., Worker]
) -> None:
    place(database)
    make_worker().run_once()
    sent = only(database, RECEIPT_EMAIL).id
    result = runner.invoke(main, ["outbox", "retry", str(sent)])
    assert result.exit_code == 1
    assert f"outbox message {sent} is sent; only failed or dead messages" in result.output
    unknown = runner.invoke(main, ["outbox", "retry", "9999"])
    assert unknown.exit_code == 1
    assert "there is no outbox message 9999" in unknown.output


def test_the_worker_writes_texts_to_the_local_outbox_without_keys(
    runner: CliRunner, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SENDGRID_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    order_id = place(database, number="+14155550100")
    enqueue_text(database, order_id)
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "processed 2 message(s)" in result.output
    assert only(database, READY_MESSAGE).status == "sent"
    texts = list((Path(settings.var_dir) / "outbox" / "messages").glob("*.json"))
    assert len(texts) == 1
    assert f"(order #{order_id})" in texts[0].read_text()
