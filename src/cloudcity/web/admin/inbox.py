"""The staff inbox: conversations to answer, every conversation searchable, a baker's reply."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cloudcity import inbox as inbox_cases
from cloudcity.domain import window_closes
from cloudcity.inbox import (
    MAX_MESSAGE,
    ConversationNotFound,
    MessageRefused,
    StaffMessage,
    TemplateSetup,
    send_staff_message,
    window_open,
)
from cloudcity.outbox.staff import REPLY_SETTING, reply_template
from cloudcity.phones import parse_address
from cloudcity.queries import inbox as queries
from cloudcity.web.admin import bp
from cloudcity.web.admin.security import MAX_ID
from cloudcity.web.context import now, reading, settings, unit_of_work

FORM_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_SEARCH = 100
PHOTOS_SHOWN = 12  # the latest pictures beside a conversation; older ones are on their orders


@bp.get("/inbox")
def inbox() -> str:
    """Conversations waiting for a person, oldest first, and every conversation, searchable."""
    term = request.args.get("q", "").strip()[:MAX_SEARCH]
    session = reading().session
    return render_template(
        "admin/inbox.html",
        term=term,
        handed_off=queries.handed_off(session),
        conversations=queries.find_conversations(session, term),
    )


@bp.get("/inbox/<int:conversation_id>")
def conversation(conversation_id: int) -> str:
    """One conversation, whole and in order, with the reply box and the customer's orders."""
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before <= MAX_ID:
        before = None  # not a message id: start from the newest
    found = queries.thread(reading().session, conversation_id, before=before)
    if found is None:
        abort(404, description=f"there is no conversation #{conversation_id}")
    return render_template(
        "admin/conversation.html",
        thread=found,
        # Pictures sent while staff have the conversation belong to no order yet: shown here.
        photos=reading().photos.for_address(found.address, limit=PHOTOS_SHOWN),
        **_reply_box(found),
        form_key=secrets.token_urlsafe(16),
        max_message=MAX_MESSAGE,
    )


def _reply_box(found: queries.Thread) -> dict[str, object]:
    """Whether free text may go now, until when, and the template offered when it may not."""
    customer, config = found.customer, settings()
    name = None if customer is None else customer.name
    # The window is this address's own: an SMS from the same number does not open WhatsApp's.
    last_inbound_at = reading().conversations.last_inbound_at(found.address)
    return {
        "window_open": window_open(parse_address(found.address), last_inbound_at, now()),
        "window_closes": window_closes(last_inbound_at),
        "last_inbound_at": last_inbound_at,
        "template_sid": config.twilio_reply_content_sid,
        "template_setting": REPLY_SETTING,
        "template_text": reply_template(customer_name=name, shop_name=config.shop_name).text,
    }


@bp.post("/inbox/<int:conversation_id>/reply")
def reply(conversation_id: int) -> ResponseReturnValue:
    """Send a baker's message (free text, or the approved template) through the outbox."""
    form_key = request.form.get("form_key", "")
    if not FORM_KEY.fullmatch(form_key):
        flash("Not sent: the form is incomplete. Reload the page and try again.", "error")
        return _back(conversation_id)
    message = StaffMessage(
        conversation_id=conversation_id,
        author=current_user.username,
        text=request.form.get("body", ""),
        form_key=form_key,
        template=request.form.get("template") == "1",
    )
    config = settings()
    setup = TemplateSetup(config.shop_name, config.twilio_reply_content_sid)
    try:
        with unit_of_work() as uow:
            sent = send_staff_message(uow=uow, message=message, setup=setup, now=now())
    except ConversationNotFound:
        abort(404)
    except MessageRefused as exc:
        flash(f"Not sent: {exc}.", "error")
    else:
        if sent is None:
            flash("That message was sent already: it is below.", "info")
        else:
            flash("Sent: it shows below, with its delivery as reports arrive.", "success")
    return _back(conversation_id)


def _back(conversation_id: int) -> ResponseReturnValue:
    target = url_for("admin.conversation", conversation_id=conversation_id)
    return redirect(f"{target}#reply")


@bp.post("/inbox/<int:conversation_id>/take-over")
def take_over(conversation_id: int) -> ResponseReturnValue:
    """Take the conversation from the bot: it keeps quiet until the conversation is handed back."""
    _change(conversation_id, inbox_cases.take_over)
    flash("You have this conversation: the bot keeps quiet until you hand it back.", "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/hand-back")
def hand_back(conversation_id: int) -> ResponseReturnValue:
    """Give the conversation back to the bot."""
    _change(conversation_id, inbox_cases.hand_back)
    flash("Handed back: the bot answers the customer's next message.", "success")
    return _back(conversation_id)


@bp.get("/inbox/waiting.json")
def waiting() -> Response:
    """How many conversations wait for a person (the navigation's count polls this)."""
    return jsonify({"waiting": queries.waiting_count(reading().session)})


def _change(conversation_id: int, change: Callable[..., None]) -> None:
    try:
        with unit_of_work() as uow:
            change(uow=uow, conversation_id=conversation_id, now=now())
    except ConversationNotFound:
        abort(404)


@bp.app_template_global("admin_waiting")
def waiting_now() -> int:
    """The count the navigation shows when a page is drawn (the script keeps it fresh)."""
    return queries.waiting_count(reading().session)
