"""The port types: defaults, validation and the DeliveryError's fields."""

from __future__ import annotations

import pytest

from cloudcity.providers import DeliveryError, Email, TextMessage
from cloudcity.providers.errors import is_temporary, retry_after_seconds


def test_email_defaults_are_empty_and_not_shared() -> None:
    first = Email(to="a@example.com", subject="s", html="<p>h</p>", text="t")
    second = Email(to="b@example.com", subject="s", html="<p>h</p>", text="t")
    assert first.attachments == () and first.categories == ()
    assert first.custom_args == {} and first.custom_args is not second.custom_args


def test_text_message_needs_a_body_or_a_template() -> None:
    with pytest.raises(ValueError, match="body or a content_sid"):
        TextMessage(to="+15551234567")
    assert TextMessage(to="whatsapp:+15551234567", body="hi").is_whatsapp


def test_delivery_error_carries_its_facts() -> None:
    error = DeliveryError("slow down", permanent=False, retry_after=3.0, status=429)
    assert (str(error), error.permanent, error.retry_after, error.status) == (
        "slow down",
        False,
        3.0,
        429,
    )


@pytest.mark.parametrize(
    ("status", "temporary"),
    [(500, True), (503, True), (429, True), (408, True), (400, False), (401, False), (404, False)],
)
def test_which_statuses_are_worth_retrying(status: int, temporary: bool) -> None:
    assert is_temporary(status) is temporary


def test_retry_after_reads_seconds_and_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("-5") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
