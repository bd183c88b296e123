"""`cloudcity chat`: a terminal conversation with a running app, posted as Twilio would."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from pydantic import SecretStr
from sqlalchemy import orm

from cloudcity.cli import main
from cloudcity.cli.chat import ChatError, replies_in
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Order
from cloudcity.web import create_app
from tests.support.browser import LiveServer, serve
from tests.support.chat import WHOLE_ORDER

ORDER_LINES = "\n".join(["hi", *WHOLE_ORDER]) + "\n"
TOKEN = "test-auth-token-123"


def chat(runner: CliRunner, url: str, lines: str, *extra: str) -> tuple[int, str]:
    result = runner.invoke(main, ["chat", "--url", url, *extra], input=lines)
    return result.exit_code, result.output


def test_an_order_placed_from_the_terminal(
    runner: CliRunner, live_server: LiveServer, session: orm.Session
) -> None:
    code, output = chat(runner, live_server.url, ORDER_LINES)
    assert code == 0, output
    assert "Welcome to Cloud City Cake Company" in output
    assert "What size would you like?" in output
    order = session.scalars(sa.select(Order)).one()
    assert f"Order #{order.id} is placed" in output
    assert order.customer.phone == "+14155550100"


def test_the_transcript_says_who_said_what(runner: CliRunner, live_server: LiveServer) -> None:
    code, output = chat(runner, live_server.url, "hi\n\nmenu\n")
    assert code == 0, output
    lines = output.splitlines()
    assert [line for line in lines if line.startswith("you> ")] == ["you> hi", "you> menu"]
    assert lines[1].startswith("Cloud City: Hi! Welcome to Cloud City Cake Company")
    assert all(
        line.startswith(("you> ", "Cloud City: ", " " * len("Cloud City: ")))
        for line in lines
        if line
    )


def test_each_line_is_one_message_with_a_fresh_sid(
    runner: CliRunner, live_server: LiveServer, session: orm.Session
) -> None:
    code, output = chat(runner, live_server.url, "hi\n\nmenu\n", "--from", "+14155550111")
    assert code == 0, output
    inbound = session.scalars(sa.select(ChatMessage).where(ChatMessage.direction == "in")).all()
    assert [m.body for m in inbound] == ["hi", "menu"]
    sids = {m.message_sid for m in inbound}
    assert len(sids) == 2
    assert all(sid and sid.startswith("SM") and len(sid) == 34 for sid in sids)
    assert all(m.address == "+14155550111" for m in inbound)


@pytest.fixture
def signed_app(settings: Settings, database: Database) -> Flask:
    """The app with webhook signatures switched on."""
    secured = settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})
    return create_app(secured, database=database)


def test_signs_requests_when_a_token_is_configured(
    runner: CliRunner, signed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    with serve(signed_app) as server:
        code, output = chat(runner, server.url, "hi\n")
    assert code == 0, output
    assert "What size would you like?" in output


def test_a_wrong_token_is_refused_with_a_clear_message(
    runner: CliRunner, signed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "another-token")
    with serve(signed_app) as server:
        code, output = chat(runner, server.url, "hi\n")
    assert code == 1
    assert "refused the message's signature (403)" in output


def test_unsigned_requests_are_refused_when_the_app_checks(
    runner: CliRunner, signed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with serve(signed_app) as server:
        code, output = chat(runner, server.url, "hi\n")
    assert code == 1
    assert "TWILIO_AUTH_TOKEN" in output


def test_says_so_when_the_app_is_not_running(runner: CliRunner, live_server: LiveServer) -> None:
    with serve(live_server.app) as server:
        url = server.url
    code, output = chat(runner, url, "hi\n", "--timeout", "2")
    assert code == 1
    assert f"could not reach the app at {url}/twilio/messages" in output
    assert "cloudcity serve" in output


def test_reads_every_message_of_a_twiml_answer() -> None:
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>One</Message>'
        "<Message><Body>Two &amp; three</Body></Message></Response>"
    )
    assert replies_in(twiml) == ["One", "Two & three"]
    assert replies_in("<Response/>") == []
    with pytest.raises(ChatError, match="not TwiML"):
        replies_in("<html>oops")
