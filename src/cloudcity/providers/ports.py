"""The ports the worker sends through: an email, a text message, and how a send fails.

Our own terms only (addresses, bytes, ids): no SDK type crosses these interfaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Email:
    """One email to one recipient; custom_args travel with it and come back in events."""

    to: str
    subject: str
    html: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    categories: tuple[str, ...] = ()
    custom_args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextMessage:
    """A WhatsApp or SMS message: free text (body) or an approved template (content_sid)."""

    to: str
    body: str | None = None
    content_sid: str | None = None
    content_variables: Mapping[str, str] | None = None


class EmailSender(Protocol):
    """Sends an email and answers the provider's message id."""

    def send_email(self, email: Email) -> str:
        """Send one email; raise DeliveryError when the provider refuses or fails."""
        ...


class MessageSender(Protocol):
    """Sends a WhatsApp or SMS message and answers the provider's message id."""

    def send_message(self, message: TextMessage) -> str:
        """Send one message; raise DeliveryError when the provider refuses or fails."""
        ...


class DeliveryError(Exception):
    """A send that failed: permanent (don't retry) or not, with the provider's hint to wait."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class Providers:
    """The senders a process uses, built once from Settings."""

    email: EmailSender
    messages: MessageSender
