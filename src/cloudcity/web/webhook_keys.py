"""Say at start-up how the provider webhooks are verified, and refuse a key that can't work."""

from __future__ import annotations

import logging

from cloudcity.config import Settings, SettingsError
from cloudcity.providers.sendgrid_webhook import WebhookKeyError, check_public_key

log = logging.getLogger(__name__)


def check_webhook_keys(config: Settings) -> None:
    """Refuse an unusable SendGrid key; in production, log loudly what will be refused."""
    if config.sendgrid_webhook_public_key:
        try:
            check_public_key(config.sendgrid_webhook_public_key)
        except WebhookKeyError as exc:
            raise SettingsError(str(exc)) from None
    if config.is_dev:
        return
    if config.twilio_auth_token is None:
        log.error(
            "TWILIO_AUTH_TOKEN is not set: /twilio/messages and /twilio/status answer 403 to "
            "every request until it is"
        )
    if not config.sendgrid_webhook_public_key:
        log.error(
            "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY is not set: /sendgrid/events answers 403 "
            "to every request until it is"
        )
