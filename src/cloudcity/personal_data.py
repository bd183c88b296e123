"""A customer's right to their data: export everything held about them, or erase it.

Erasing keeps their orders (the books need them) with the customer anonymised, and cancels
whatever still waits to be sent to them. A customer asking by chat is not handled here: that
request goes to the staff, who confirm it and erase from the admin or the CLI.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from cloudcity.db import Reading, UnitOfWork
from cloudcity.db.repositories.personal import Footprint
from cloudcity.phones import PhoneError, parse_address
from cloudcity.photo_store import PhotoStore
from cloudcity.pickup import release_hold

ERASE_REASON = "not sent: the customer's data was erased"


class UnknownCustomer(Exception):
    """No customer has this phone number (or it is not a phone number)."""


def export_customer(
    *, reading: Reading | UnitOfWork, phone: str, photos: PhotoStore
) -> dict[str, Any]:
    """Every row held about the customer with this number, table by table, and their photos."""
    found = _footprint(reading, phone)
    files = {
        name: base64.b64encode(path.read_bytes()).decode("ascii")
        for name in reading.personal.photo_files(found)
        if (path := photos.find(name)) is not None
    }
    return {"phone": _e164(phone), "tables": reading.personal.rows(found), "photo_files": files}


def erase_customer(*, uow: UnitOfWork, phone: str, now: datetime, photos: PhotoStore) -> int:
    """Anonymise the customer with this number everywhere; answers their customer id."""
    found = _footprint(uow, phone)
    files = uow.personal.photo_files(found)
    for address in found.addresses:
        release_hold(uow=uow, address=address)  # a slot they held goes back on sale
    uow.personal.anonymise(found, reason=ERASE_REASON, now=now)
    uow.customers.reindex(found.customer_id)  # search terms held their name, email and phone
    # Before the commit: should it fail, rows naming a missing file are harmless (a photo
    # shows as gone), while a file kept after its row went could never be found to erase.
    for name in files:
        photos.discard(name)
    return found.customer_id


def as_json(exported: dict[str, Any]) -> str:
    """An export as indented JSON: times in ISO 8601, enums by value."""
    return json.dumps(exported, indent=2, default=_plain, ensure_ascii=False)


def _footprint(repositories: Reading | UnitOfWork, phone: str) -> Footprint:
    found = repositories.personal.footprint(_e164(phone))
    if found is None:
        raise UnknownCustomer(f"no customer has the number {phone}")
    return found


def _e164(phone: str) -> str:
    try:
        return parse_address(phone).phone
    except PhoneError as exc:
        raise UnknownCustomer(str(exc)) from None


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
