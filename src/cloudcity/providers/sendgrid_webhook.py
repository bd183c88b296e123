"""SendGrid's signed Event Webhook: the ECDSA check, done with the SDK's own verifier."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from sendgrid.helpers.eventwebhook import EventWebhook

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


class WebhookKeyError(Exception):
    """The configured verification key is not a base64 DER public key."""


def is_valid_signature(*, public_key: str, payload: str, signature: str, timestamp: str) -> bool:
    """True when SendGrid signed `timestamp + payload` with the key's private half."""
    if not signature or not timestamp:
        return False
    try:
        verifier = EventWebhook(public_key.strip())
    except (ValueError, TypeError) as exc:
        raise WebhookKeyError(
            "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY is not a valid public key (paste the "
            "base64 'Verification Key' from SendGrid's Event Webhook settings)"
        ) from exc
    try:
        return bool(verifier.verify_signature(payload, signature, timestamp))
    except (ValueError, TypeError, InvalidSignature):
        return False
