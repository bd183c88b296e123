"""Sending email and WhatsApp/SMS: the only package that imports the twilio and sendgrid SDKs."""

from cloudcity.providers.factory import Providers, build_providers
from cloudcity.providers.local import LocalEmailSender, LocalMessageSender
from cloudcity.providers.ports import (
    Attachment,
    DeliveryError,
    Email,
    EmailSender,
    MessageSender,
    TextMessage,
)

__all__ = [
    "Attachment",
    "DeliveryError",
    "Email",
    "EmailSender",
    "LocalEmailSender",
    "LocalMessageSender",
    "MessageSender",
    "Providers",
    "TextMessage",
    "build_providers",
]
