"""Choose the adapters once from Settings: real providers when keys are set, files otherwise."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cloudcity.config import Settings
from cloudcity.providers.local import LocalEmailSender, LocalMessageSender, outbox_dirs
from cloudcity.providers.ports import EmailSender, FetchesMedia, MessageSender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Providers:
    """The two senders the worker uses."""

    email: EmailSender
    messages: MessageSender


def build_providers(settings: Settings) -> Providers:
    """Real SDK adapters when credentials are configured, local file transports when not."""
    return Providers(email=_email_sender(settings), messages=_message_sender(settings))


def _email_sender(settings: Settings) -> EmailSender:
    if settings.sendgrid_api_key is not None and settings.sendgrid_api_key.get_secret_value():
        from cloudcity.providers.sendgrid_sender import SendGridEmailSender

        log.info("emails go through SendGrid from %s", settings.shop_email)
        return SendGridEmailSender(
            api_key=settings.sendgrid_api_key.get_secret_value(),
            from_email=settings.shop_email,
            from_name=settings.shop_name,
        )
    folder, _ = outbox_dirs(settings.var_dir)
    log.info("SENDGRID_API_KEY is not set: emails are written to %s", folder)
    return LocalEmailSender(
        folder=folder, from_email=settings.shop_email, from_name=settings.shop_name
    )


def _message_sender(settings: Settings) -> MessageSender:
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    senders = settings.twilio_whatsapp_from or settings.twilio_sms_from
    if sid and token is not None and token.get_secret_value() and senders:
        from cloudcity.providers.twilio_sender import TwilioMessageSender

        log.info("WhatsApp/SMS messages go through Twilio")
        return TwilioMessageSender(
            account_sid=sid,
            auth_token=token.get_secret_value(),
            whatsapp_from=settings.twilio_whatsapp_from,
            sms_from=settings.twilio_sms_from,
            public_url=str(settings.public_url) if settings.public_url else None,
        )
    _, folder = outbox_dirs(settings.var_dir)
    if sid or token is not None:
        log.warning(
            "Twilio is only partly configured (need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
            "CLOUDCITY_TWILIO_WHATSAPP_FROM or CLOUDCITY_TWILIO_SMS_FROM): messages are "
            "written to %s instead",
            folder,
        )
    else:
        log.info("Twilio credentials are not set: messages are written to %s", folder)
    # In development with a public URL, report local texts to our own status callback as
    # Twilio would (the fault tests rely on it).
    public = str(settings.public_url).rstrip("/") if settings.public_url else None
    callback = f"{public}/twilio/status" if public and settings.is_dev else None
    return LocalMessageSender(folder=folder, status_callback=callback)


def build_media_fetcher(settings: Settings) -> FetchesMedia:
    """Downloads from Twilio's media hosts, with the account's credentials when they are set."""
    from cloudcity.providers.media import MediaFetcher, MediaRules

    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    secret = token.get_secret_value() if token is not None else ""
    rules = MediaRules(
        origins=settings.photo_origins,
        max_bytes=settings.photo_max_bytes,
        timeout=settings.photo_fetch_timeout_seconds,
    )
    if not (sid and secret):
        # Local mode: nothing comes from Twilio but the simulator's uploads, stored directly.
        log.info("Twilio credentials are not set: pictures are downloaded without them")
    return MediaFetcher(rules=rules, credentials=(sid, secret) if sid and secret else None)
