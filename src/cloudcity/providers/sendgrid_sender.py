"""Email through SendGrid's official SDK: v3 mail send with HTML, text and attachments."""

from __future__ import annotations

import base64
import logging
import uuid
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment as SendGridAttachment,
)
from sendgrid.helpers.mail import (
    Category,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Mail,
    To,
)

from cloudcity.providers.errors import http_error, transport_error
from cloudcity.providers.ports import DeliveryError, Email

log = logging.getLogger(__name__)
SENDGRID_API = "https://api.sendgrid.com"
DEFAULT_TIMEOUT = 20.0
MAX_DETAIL = 500


class SendGridEmailSender:
    """Sends Emails with SendGrid from the shop's address and name."""

    def __init__(
        self,
        *,
        api_key: str,
        from_email: str,
        from_name: str,
        host: str = SENDGRID_API,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        # The SDK builds its HTTP client without a timeout; every request inherits this one.
        self._client.client.timeout = timeout
        self._from = From(from_email, from_name)

    def send_email(self, email: Email) -> str:
        """Send one email; return SendGrid's X-Message-Id or raise DeliveryError."""
        mail = self._mail(email)
        try:
            response = self._client.send(mail)
        except HTTPError as exc:
            raise _http_error(exc) from exc
        except OSError as exc:  # urllib's URLError and socket timeouts
            raise transport_error("SendGrid", exc) from exc
        message_id = response.headers.get("X-Message-Id") if response.headers else None
        if not message_id:
            # Accepted, so never resend; events still match through the outbox_id custom arg.
            message_id = f"sendgrid-{uuid.uuid4().hex}"
            log.warning("SendGrid accepted an email without X-Message-Id; using %s", message_id)
        log.info("sent email %s via SendGrid", message_id)
        return str(message_id)

    def _mail(self, email: Email) -> Mail:
        mail = Mail(
            from_email=self._from,
            to_emails=_recipient(email.to),
            subject=email.subject,
            plain_text_content=email.text,
            html_content=email.html,
        )
        for attachment in email.attachments:
            mail.add_attachment(
                SendGridAttachment(
                    FileContent(base64.b64encode(attachment.content).decode("ascii")),
                    FileName(attachment.filename),
                    FileType(attachment.content_type),
                    Disposition("attachment"),
                )
            )
        for category in email.categories:
            mail.add_category(Category(category))
        for key, value in email.custom_args.items():
            # Per personalization: the spec types the top-level custom_args as a string.
            mail.add_custom_arg(CustomArg(key, value, p=0))
        return mail


def _recipient(address: str) -> To:
    # Set verbatim: the helper's parser would turn a malformed address into a display name.
    recipient = To()
    recipient.email = address
    return recipient


def _http_error(exc: Any) -> DeliveryError:
    headers = exc.headers
    retry_after = headers.get("Retry-After") if headers is not None else None
    body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
    return http_error(
        "SendGrid", int(exc.status_code), body[:MAX_DETAIL].strip(), retry_after=retry_after
    )
