"""Local transports: without provider keys, emails and texts become files under var/outbox/.

Emails are RFC 5322 `.eml` files (open them in any mail client), texts are JSON files.
File names sort by time and are unique: `<UTC timestamp>-<uuid hex>.<ext>`. Each file names
the outbox message it carries, so a send in doubt is found, not written twice; like Twilio,
the message transport can call a status callback naming the outbox message.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
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
    return f"{_stamp(now or utcnow())}-{uid}.{extension}", f"local-{uid}"


def written_since(folder: Path, extension: str, since: datetime) -> Iterator[Path]:
    """The files written at or after `since` (their names begin with the time)."""
    first = _stamp(since)
    if folder.is_dir():
        yield from (p for p in folder.glob(f"*.{extension}") if p.name >= first)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


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

    # Its own files answer `find_sent_email` at once: no delivery report is worth waiting for.
    lookup_is_immediate = True

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

    def find_sent_email(self, email: Email, *, since: datetime) -> str | None:
        """The local id of this email (by its outbox id) if written since `since`."""
        outbox_id = email.custom_args.get("outbox_id")
        for path in written_since(self.folder, "eml", since) if outbox_id else ():
            with path.open("rb") as stream:
                headers = BytesHeaderParser().parse(stream)
            args = json.loads(headers.get("X-Cloudcity-Custom-Args") or "{}")
            if args.get("outbox_id") == outbox_id:
                return str(headers["X-Cloudcity-Local-Id"])
        return None

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
    """Writes each WhatsApp/SMS message as a JSON file instead of sending it.

    With `status_callback` (our `/twilio/status` URL) it then reports the message as sent
    there, as Twilio does, naming the outbox message in the query string.
    """

    lookup_is_immediate = True

    def __init__(self, *, folder: Path, status_callback: str | None = None) -> None:
        self.folder = folder
        self.status_callback = status_callback

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
            "outbox_id": message.outbox_id,
        }
        data = json.dumps(record, indent=2, ensure_ascii=False).encode()
        path = write_atomically(self.folder, name, data)
        log.info("message to %s written to %s (no Twilio credentials)", message.to, path)
        self._report(message, local_id)
        return local_id

    def find_sent(self, message: TextMessage, *, since: datetime) -> str | None:
        """The local id of this message (by its outbox id) if written since `since`."""
        for path in written_since(self.folder, "json", since) if message.outbox_id else ():
            record = json.loads(path.read_text())
            if record.get("outbox_id") == message.outbox_id:
                return str(record["id"])
        return None

    def _report(self, message: TextMessage, local_id: str) -> None:
        if not self.status_callback:
            return
        query = f"?outbox_id={message.outbox_id}" if message.outbox_id else ""
        form = {"MessageSid": local_id, "MessageStatus": "sent", "To": message.to}
        data = urllib.parse.urlencode(form).encode()
        try:  # the URL is our own public URL, http(s) by Settings' validation
            with urllib.request.urlopen(self.status_callback + query, data, timeout=5):  # noqa: S310
                pass
        except OSError as exc:  # a report lost is a report Twilio might also lose
            log.warning(
                "status callback for %s to %s failed: %s", local_id, self.status_callback, exc
            )
