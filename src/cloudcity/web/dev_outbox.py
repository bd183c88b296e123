"""The dev inbox: what the local transports wrote to var/outbox/ (development only, else 404)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_file

from cloudcity.providers.local import outbox_dirs
from cloudcity.providers.local_inbox import LocalEmail, email_summaries, read_email, read_messages
from cloudcity.web.context import settings

bp = Blueprint("dev_outbox", __name__, url_prefix="/dev/outbox")
ATTACHMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.[A-Za-z0-9]{1,10}$")
# The email's HTML is untrusted markup: no scripts, no network, its own sandboxed origin.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; frame-src 'self'; img-src 'self'; frame-ancestors 'none'"
)


@bp.before_request
def development_only() -> None:
    """Pretend the inbox does not exist outside development."""
    if not settings().is_dev:
        abort(404)


@bp.after_request
def locked_down(response: Response) -> Response:
    """Forbid scripts and sniffing on every inbox page."""
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
def index() -> str:
    """Local emails and messages, newest first."""
    emails_dir, messages_dir = _dirs()
    return render_template(
        "dev/outbox.html",
        emails=email_summaries(emails_dir),
        messages=read_messages(messages_dir),
        folder=str(emails_dir.parent),
    )


@bp.get("/emails/<name>")
def email(name: str) -> str:
    """One email: its headers, its HTML in a sandboxed frame, its text and attachments."""
    return render_template("dev/email.html", email=_email(name))


@bp.get("/emails/<name>/html")
def email_html(name: str) -> Response:
    """The email's HTML body, sandboxed by CSP so it runs nothing."""
    found = _email(name)
    response = Response(found.html or "", mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response


@bp.get("/emails/<name>/<attachment>")
def email_attachment(name: str, attachment: str) -> Response:
    """An attachment of the email: PDFs inline, anything else as a download."""
    if not ATTACHMENT_NAME.fullmatch(attachment):
        abort(404)
    found = _email(name)
    match = next((a for a in found.attachments if a.filename == attachment), None)
    if match is None:
        abort(404)
    is_pdf = match.content_type == "application/pdf"
    response = send_file(
        io.BytesIO(match.content),
        mimetype="application/pdf" if is_pdf else "application/octet-stream",
        as_attachment=not is_pdf,
        download_name=attachment,
    )
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response


def _dirs() -> tuple[Path, Path]:
    return outbox_dirs(settings().var_dir)


def _email(name: str) -> LocalEmail:
    found = read_email(_dirs()[0], name)
    if found is None:
        abort(404)
    return found
