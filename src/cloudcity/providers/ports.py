"""What the rest of Cloud City sends, in its own terms: no SDK type crosses these ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from cloudcity.domain import is_whatsapp


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Email:
    """An email to one recipient, with an HTML and a plain-text body; the sender is configured."""

    to: str
    subject: str
    html: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    categories: tuple[str, ...] = ()
    custom_args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextMessage:
    """A WhatsApp or SMS message: free text, or an approved content template with variables.

    `to` is a Twilio address: `whatsapp:+15551234567` or `+15551234567`. `outbox_id` names
    the outbox message in the status callback, so a report can settle a send in doubt.
    """

    to: str
    body: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None
    outbox_id: int | None = None

    def __post_init__(self) -> None:
        if not self.body and not self.content_sid:
            raise ValueError("a text message needs a body or a content_sid")

    @property
    def is_whatsapp(self) -> bool:
        """True when the recipient is a WhatsApp address."""
        return is_whatsapp(self.to)


class DeliveryError(Exception):
    """A provider refused or could not take a message.

    `permanent` says whether retrying the same message can ever succeed; `retry_after` is the
    provider's requested wait in seconds, when it gave one; `status` the HTTP status, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status

    def __repr__(self) -> str:
        return (
            f"DeliveryError({self.message!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after}, status={self.status})"
        )


class EmailSender(Protocol):
    """Sends an email; returns the provider's message id."""

    def send_email(self, email: Email) -> str:
        """Send one email or raise DeliveryError."""
        ...


class MessageSender(Protocol):
    """Sends a WhatsApp or SMS message; returns the provider's message id."""

    def send_message(self, message: TextMessage) -> str:
        """Send one message or raise DeliveryError."""
        ...


@runtime_checkable
class FindsSentMessages(Protocol):
    """A message sender that can tell whether it already accepted a message (Twilio can)."""

    def find_sent(self, message: TextMessage, *, since: datetime) -> str | None:
        """The provider's id of this message if it was accepted since `since`, else None."""
        ...


@runtime_checkable
class FindsSentEmails(Protocol):
    """An email sender that can tell whether it already accepted an email (by custom_args)."""

    def find_sent_email(self, email: Email, *, since: datetime) -> str | None:
        """The provider's id of this email if it was accepted since `since`, else None."""
        ...


class MediaRefused(Exception):
    """The picture itself is unacceptable (wrong host, too big, not an image, gone): never retry."""


@dataclass(frozen=True)
class FetchedMedia:
    """A downloaded picture: its type as its bytes say, and the bytes."""

    content_type: str
    data: bytes


class FetchesMedia(Protocol):
    """Downloads a picture a customer sent, from its media URL."""

    def fetch(self, url: str) -> FetchedMedia:
        """The picture, or MediaRefused for a bad one, or DeliveryError when it may work later."""
        ...
