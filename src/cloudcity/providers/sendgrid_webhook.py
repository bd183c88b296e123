"""SendGrid's signed Event Webhook: the ECDSA check, done with the SDK's own verifier."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from sendgrid.helpers.eventwebhook import EventWebhook

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


class WebhookKeyError(Exception):
    """The configured verification key is not a base64 DER public key."""


def check_public_key(public_key: str) -> None:
    """Raise WebhookKeyError unless the key is one SendGrid signatures can be checked with."""
    _verifier(public_key)


def _verifier(public_key: str) -> EventWebhook:
    try:
        return EventWebhook(public_key.strip())
    except (ValueError, TypeError) as exc:
        raise WebhookKeyError(
            "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY is not a valid public key (paste the "
            "base64 'Verification Key' from SendGrid's Event Webhook settings)"
        ) from exc


def is_valid_signature(*, public_key: str, payload: str, signature: str, timestamp: str) -> bool:
    """True when SendGrid signed `timestamp + payload` with the key's private half."""
    if not signature or not timestamp:
        return False
    verifier = _verifier(public_key)
    try:
        return bool(verifier.verify_signature(payload, signature, timestamp))
    except (ValueError, TypeError, InvalidSignature):
        return False
