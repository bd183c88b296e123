"""Twilio's Messaging webhook: an inbound WhatsApp/SMS message in, TwiML with our reply out."""

from __future__ import annotations

from flask import Blueprint, Response, request

from cloudcity.chat import (
    AlreadyRecorded,
    ChatPolicy,
    Inbound,
    Reply,
    handle_inbound,
    inbound_from_form,
    replay,
)
from cloudcity.metrics import CHAT_MESSAGES
from cloudcity.providers.twilio_signature import twiml_reply
from cloudcity.web.context import now, run_in_unit_of_work, settings
from cloudcity.web.twilio_auth import twilio_signed

bp = Blueprint("twilio_webhook", __name__, url_prefix="/twilio")
# A WhatsApp message may hold 4,096 characters: in emoji, percent-encoded, that is ~48 KiB of
# form, beyond the app's general request limit. Refusing it would leave the customer unanswered.
MAX_WEBHOOK_BYTES = 64 * 1024


@bp.before_request
def allow_long_messages() -> None:
    """Let Twilio's form through even for the longest message a customer can send."""
    request.max_content_length = max(MAX_WEBHOOK_BYTES, settings().max_body_bytes)


@bp.post("/messages")
@twilio_signed
def inbound_message() -> Response:
    """Handle one inbound message and answer with TwiML (empty when we must stay silent)."""
    inbound = inbound_from_form(request.form.to_dict(flat=True))
    return Response(twiml(answer(inbound)), mimetype="text/xml")


def answer(inbound: Inbound) -> Reply:
    """Handle one inbound message and commit, again if the database chose it to lose a deadlock."""
    policy = ChatPolicy.from_settings(settings())
    # Repeatable: a repeat after a lost COMMIT finds its MessageSid and replays the answer.
    try:
        reply = run_in_unit_of_work(
            lambda uow: handle_inbound(uow=uow, inbound=inbound, policy=policy, now=now())
        )
    except AlreadyRecorded:
        # A retry, or two copies at once: nothing of this attempt was kept.
        return run_in_unit_of_work(
            lambda uow: replay(uow=uow, inbound=inbound, policy=policy, now=now())
        )
    _count(reply)
    return reply


def _count(reply: Reply) -> None:
    CHAT_MESSAGES.labels("in").inc()
    if reply.text:
        CHAT_MESSAGES.labels("out").inc()


def twiml(reply: Reply) -> str:
    """The TwiML document for a reply: one <Message>, or an empty <Response/>."""
    return twiml_reply(reply.text)
