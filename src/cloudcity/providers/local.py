"""Local transports: without provider keys, emails and texts become files under var/outbox/.

Emails are RFC 5322 `.eml` files (open them in any mail client), texts are JSON files.
File names sort by time and are unique: `<UTC timestamp>-<uuid hex>.<ext>`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import uuid
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from cloudcity.db.base import utcnow
from cloudcity.providers.ports import Email, TextMessage

log = logging.getLogger(__name__)
NAME = re.compile(r"^(?P<stamp>\d{8}T\d{12}Z)-(?P<uid>[0-9a-f]{32})\.(?P<ext>eml|json)$")


def outbox_dirs(var_dir: str | Path) -> tuple[Path, Path]:
    """The folders local emails and local messages are written to."""
    root = Path(var_dir) / "outbox"
    return root / "emails", root / "messages"


def new_name(extension: str, *, now: datetime | None = None) -> tuple[str, str]:
    """A sortable, unique file name and the local message id it stands for."""
    uid = uuid.uuid4().hex
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{uid}.{extension}", f"local-{uid}"


def write_atomically(folder: Path, name: str, data: bytes) -> Path:
    """Write a file so a reader never sees it half written (temp file, then rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        target = folder / name
        Path(temp).replace(target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


class LocalEmailSender:
    """Writes each email as an `.eml` file instead of sending it."""

    def __init__(self, *, folder: Path, from_email: str, from_name: str) -> None:
        self.folder = folder
        self._from = formataddr((from_name, from_email))

    def send_email(self, email: Email) -> str:
        """Write the email to the local outbox; return its local id."""
        name, local_id = new_name("eml")
        message = self._message(email, local_id)
        path = write_atomically(self.folder, name, bytes(message))
        log.info("email to %s written to %s (no SENDGRID_API_KEY)", email.to, path)
        return local_id

    def _message(self, email: Email, local_id: str) -> EmailMessage:
        # RFC 6532 (SMTPUTF8): an internationalised address is written as UTF-8, as a mail
        # server that accepts it would see it; the default policy mangles it into encoded words.
        message = EmailMessage(policy=policy.SMTPUTF8)
        message["From"] = self._from
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = make_msgid(idstring=local_id, domain="cloudcity.local")
        message["X-Cloudcity-Local-Id"] = local_id
        if email.categories:
            message["X-Cloudcity-Categories"] = ", ".join(email.categories)
        if email.custom_args:
            message["X-Cloudcity-Custom-Args"] = json.dumps(email.custom_args, sort_keys=True)
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        for attachment in email.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content,
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
        return message


class LocalMessageSender:
    """Writes each WhatsApp/SMS message as a JSON file instead of sending it."""

    def __init__(self, *, folder: Path) -> None:
        self.folder = folder

    def send_message(self, message: TextMessage) -> str:
        """Write the message to the local outbox; return its local id."""
        name, local_id = new_name("json")
        record = {
            "id": local_id,
            "created_at": utcnow().isoformat(),
            "to": message.to,
            "body": message.body,
            "content_sid": message.content_sid,
            "content_variables": message.content_variables,
        }
        data = json.dumps(record, indent=2, ensure_ascii=False).encode()
        path = write_atomically(self.folder, name, data)
        log.info("message to %s written to %s (no Twilio credentials)", message.to, path)
        return local_id
