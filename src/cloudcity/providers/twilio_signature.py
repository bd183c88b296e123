"""Twilio's webhook signatures and TwiML answers: the SDK's side of the inbound webhook."""

from __future__ import annotations

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse


def valid_signature(*, url: str, params: dict[str, str], signature: str, auth_token: str) -> bool:
    """True when `signature` is what Twilio sends for a form POST of `params` to `url`."""
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio would send for a form POST to `url` (dev tools, tests)."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def twiml_reply(text: str | None) -> str:
    """The TwiML document that answers with one message, or an empty <Response/> for None."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)
