"""The "Messages sent" page: outbox messages by status, and a retry for failed or dead ones.

It used to be called "Deliveries" (read as cake deliveries): /admin/deliveries redirects here.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField

from cloudcity.outbox.manage import OutboxError, retry_message
from cloudcity.queries.messages import (
    RETRYABLE,
    STATUSES,
    WITH_ERRORS,
    count_by_status,
    list_messages,
)
from cloudcity.web.admin import bp
from cloudcity.web.context import now, reading, unit_of_work

DEFAULT_STATUS = "failed"
PER_PAGE = 50


class RetryForm(FlaskForm):  # type: ignore[misc]
    """The tab to go back to after a retry (the message's id is in the URL)."""

    status = HiddenField()


@bp.get("/deliveries")
def deliveries() -> ResponseReturnValue:
    """The page's old address: bookmarks land on "Messages sent" with the same tab and page."""
    kept: dict[str, Any] = request.args.to_dict()
    return redirect(url_for("admin.messages", **kept), 301)


@bp.get("/messages")
def messages() -> ResponseReturnValue:
    """One status's messages, newest first, a page at a time."""
    status = request.args.get("status", DEFAULT_STATUS)
    if status not in STATUSES:
        status = DEFAULT_STATUS
    page_number = request.args.get("page", 1, type=int) or 1
    session = reading().session
    page = list_messages(session, status=status, page=page_number, per_page=PER_PAGE)
    return render_template(
        "admin/messages.html",
        status=status,
        statuses=STATUSES,
        counts=count_by_status(session),
        page=page,
        retryable=status in RETRYABLE,
        with_errors=status in WITH_ERRORS,
    )


@bp.post("/deliveries/<int:outbox_id>/retry")  # a page opened before the rename still retries
@bp.post("/messages/<int:outbox_id>/retry")  # registered first, so url_for builds this one
def retry(outbox_id: int) -> ResponseReturnValue:
    """Send a failed or dead message again as soon as the worker is free."""
    form = RetryForm()
    back = form.status.data if form.status.data in STATUSES else DEFAULT_STATUS
    form.validate_on_submit()  # only the CSRF token, which the blueprint checked already
    try:
        with unit_of_work() as uow:
            message = retry_message(uow=uow, message_id=outbox_id, now=now())
    except OutboxError as exc:
        flash(f"Not retried: {exc}.", "error")
        return redirect(url_for("admin.messages", status=back), 303)
    flash(f"Message {message.id} to {message.recipient} is queued to be sent again.", "success")
    return redirect(url_for("admin.messages", status=back), 303)
