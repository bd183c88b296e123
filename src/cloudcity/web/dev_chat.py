"""The chat simulator (development only): a phone-like page that talks to the real engine.

`POST /dev/chat/send` builds the same Twilio-style inbound the webhook reads and calls the
same service, in a unit of work, so what you see here is what a customer would get.
`POST /dev/chat/photo?from=...` takes a picture from the computer (the raw image as the body):
there is no Twilio to fetch it from, so it is stored at once and the message goes on as a
picture sent on WhatsApp would.
It is a 404 outside development. It takes only JSON from a same-origin page: a cross-site
form cannot send `application/json` (or an image type) without a CORS preflight we never
answer, and the Origin/Referer check refuses the rest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, jsonify, render_template, request

from cloudcity.chat import Reply, inbound_from_form
from cloudcity.chat.simulator import twilio_form
from cloudcity.images import HEAD_BYTES, declared_type, is_image_type, sniff
from cloudcity.phones import PhoneError, parse_address
from cloudcity.photo_store import PhotoStore
from cloudcity.photos import Media
from cloudcity.pricing import Problem
from cloudcity.queries.inbox import last_message_id, staff_messages_after
from cloudcity.web.context import reading, settings
from cloudcity.web.errors import error_response
from cloudcity.web.twilio_webhook import answer

bp = Blueprint("dev_chat", __name__, url_prefix="/dev/chat")
MAX_BODY = 1600  # the longest message Twilio delivers as one


@bp.before_request
def development_only() -> None:
    """Hide the simulator entirely unless the app runs in development."""
    if not settings().is_dev:
        abort(404)


@bp.get("")
def page() -> str:
    """The simulator page."""
    config = settings()
    return render_template(
        "dev/chat.html", shop_name=config.shop_name, default_phone="+14155550100"
    )


@bp.post("/send")
def send() -> Response | tuple[Response, int]:
    """Pass one message through the chat engine as if Twilio had delivered it."""
    if not _same_origin():
        return error_response(403, "the simulator only answers its own page (Origin/Referer)")
    if not request.is_json:
        return error_response(415, 'send JSON: {"from": ..., "body": ...}')
    fields, problems = _fields(request.get_json(silent=True))
    if problems:
        return error_response(422, "the message has invalid fields", problems)
    inbound = inbound_from_form(_twilio_form(fields["from"], fields["body"]))
    return _replied(answer(inbound))


@bp.post("/photo")
def photo() -> Response | tuple[Response, int]:
    """Store a picture from the computer, then pass it through the engine as a sent picture."""
    if not _same_origin():
        return error_response(403, "the simulator only answers its own page (Origin/Referer)")
    if not is_image_type(request.content_type):
        return error_response(415, "send the picture itself, as image/jpeg, png, webp, gif or heic")
    sender = request.args.get("from", "").strip()
    if not sender or len(sender) > 60:
        return error_response(422, "say who sends it", [Problem("from", "'from' is required")])
    request.max_content_length = settings().photo_max_bytes  # over it: 413, before reading
    data = request.get_data(cache=False)
    kind = sniff(data[:HEAD_BYTES])
    if kind is None:
        return error_response(422, "that file is no JPEG, PNG, WebP, GIF or HEIC picture")
    stored = PhotoStore(settings().photo_folder).save(data, kind)
    url = f"simulator:{declared_type(request.content_type)}"
    inbound = inbound_from_form(_twilio_form(sender, ""))
    inbound = replace(inbound, num_media=1, media=(Media(url, kind, uploaded=stored),))
    return _replied(answer(inbound))


def _replied(reply: Reply) -> Response:
    replies = [reply.text] if reply.text else []
    return jsonify({"replies": replies, "order_id": reply.order_id})


@bp.get("/messages")
def staff_messages() -> Response | tuple[Response, int]:
    """What bakers wrote to this number from the inbox since message `after` (the page polls).

    Without `after`, no messages: only the newest message id, to start polling from.
    """
    try:
        address = parse_address(request.args.get("from", "")[:60]).twilio
    except PhoneError as exc:
        return error_response(422, "'from' is not a phone number", [Problem("from", str(exc))])
    session = reading().session
    after = request.args.get("after", type=int)
    if after is None or not 0 <= after < 2**31:
        return jsonify({"messages": [], "last_id": last_message_id(session, address)})
    lines = staff_messages_after(session, address, after)
    found = [{"id": line.id, "body": line.body, "author": line.author} for line in lines]
    return jsonify({"messages": found, "last_id": lines[-1].id if lines else after})


def _same_origin() -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    theirs, ours = urlsplit(source), urlsplit(request.host_url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def _fields(payload: Any) -> tuple[dict[str, str], list[Problem]]:
    if not isinstance(payload, dict):
        return {}, [Problem("body", "send a JSON object")]
    fields, problems = {}, []
    for name, limit in (("from", 60), ("body", MAX_BODY)):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, f"{name!r} must be a non-empty string"))
        elif len(value) > limit:
            problems.append(Problem(name, f"{name!r} is longer than {limit} characters"))
        else:
            fields[name] = value.strip()
    return fields, problems


def _twilio_form(sender: str, body: str) -> dict[str, str]:
    """The fields Twilio's Messaging webhook would post for this message."""
    return twilio_form(settings(), sender=sender, body=body)
