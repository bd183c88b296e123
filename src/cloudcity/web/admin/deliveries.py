"""The deliveries page: outbox messages by status, and a retry for failed or dead ones."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from cloudcity.db import committing
from cloudcity.outbox.admin import (
    RETRYABLE,
    STATUSES,
    RetryError,
    count_by_status,
    list_messages,
    retry_message,
)
from cloudcity.web.admin import bp
from cloudcity.web.context import db_session

DEFAULT_STATUS = "failed"
PER_PAGE = 50


class RetryForm(FlaskForm):  # type: ignore[misc]
    """A retry has no fields: the CSRF token is the point."""


@bp.get("/deliveries")
def deliveries() -> ResponseReturnValue:
    """One status's messages, newest first, a page at a time."""
    status = request.args.get("status", DEFAULT_STATUS)
    if status not in STATUSES:
        status = DEFAULT_STATUS
    page_number = request.args.get("page", 1, type=int) or 1
    session = db_session()
    page = list_messages(session, status=status, page=page_number, per_page=PER_PAGE)
    return render_template(
        "admin/deliveries.html",
        status=status,
        statuses=STATUSES,
        counts=count_by_status(session),
        page=page,
        retryable=status in RETRYABLE,
    )


@bp.post("/deliveries/<int:outbox_id>/retry")
def retry(outbox_id: int) -> ResponseReturnValue:
    """Send a failed or dead message again as soon as the worker is free."""
    back = request.form.get("status", DEFAULT_STATUS)
    back = back if back in STATUSES else DEFAULT_STATUS
    if not RetryForm().validate_on_submit():
        flash("The retry form expired; reload the page and try again.", "error")
        return redirect(url_for("admin.deliveries", status=back), 303)
    session = db_session()
    try:
        with committing(session):
            message = retry_message(session=session, outbox_id=outbox_id)
    except RetryError as exc:
        flash(f"Not retried: {exc}.", "error")
        return redirect(url_for("admin.deliveries", status=back), 303)
    flash(f"Message {message.id} to {message.recipient} is queued to be sent again.", "success")
    return redirect(url_for("admin.deliveries", status=back), 303)
