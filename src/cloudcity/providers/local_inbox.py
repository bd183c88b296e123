"""Reading the local outbox back (for the dev inbox page): only files named by local.NAME."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import Parser
from pathlib import Path
from typing import Any

from cloudcity.providers.local import NAME
from cloudcity.providers.ports import Attachment


@dataclass(frozen=True)
class LocalEmail:
    """An email from the local outbox, parsed back from its `.eml` file."""

    name: str
    local_id: str
    sender: str
    to: str
    subject: str
    date: str
    html: str | None
    text: str | None
    attachments: tuple[Attachment, ...]


def listed(folder: Path, extension: str) -> list[str]:
    """The outbox file names in a folder, newest first; anything else is ignored."""
    if not folder.is_dir():
        return []
    names = [
        entry.name
        for entry in folder.iterdir()
        if (match := NAME.match(entry.name)) and match["ext"] == extension and entry.is_file()
    ]
    return sorted(names, reverse=True)


def read_email(folder: Path, name: str) -> LocalEmail | None:
    """The email stored under `name`, or None when no such outbox file is listed."""
    if name not in listed(folder, "eml"):
        return None
    # Headers may be UTF-8 (RFC 6532), which BytesParser leaves as escapes; bodies are 7-bit.
    text = (folder / name).read_bytes().decode("utf-8", errors="replace")
    message = Parser(policy=policy.default).parsestr(text)
    assert isinstance(message, EmailMessage)
    return LocalEmail(
        name=name,
        local_id=str(message.get("X-Cloudcity-Local-Id", "")),
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        html=_body(message, "html"),
        text=_body(message, "plain"),
        attachments=tuple(_attachments(message)),
    )


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or not isinstance(part, EmailMessage):
        return None
    content: str = part.get_content()
    return content


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append(Attachment(part.get_filename() or "", part.get_content_type(), content))
    return found


def read_messages(folder: Path, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest local text messages, each as its stored JSON record plus its file name."""
    records = []
    for name in listed(folder, "json")[:limit]:
        try:
            record = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            records.append({**record, "name": name})
    return records


def email_summaries(folder: Path, *, limit: int = 200) -> list[LocalEmail]:
    """The newest local emails, parsed."""
    emails = [read_email(folder, name) for name in listed(folder, "eml")[:limit]]
    return [email for email in emails if email is not None]
