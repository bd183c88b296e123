"""Reference photos: a picture a customer sends while ordering is recorded at once, fetched
by the outbox worker (never in the webhook's request), and attached to the order placed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.photos import REFUSED, STORED
from cloudcity.images import declared_type, is_image_type
from cloudcity.origins import OriginRefused, require_origin
from cloudcity.outbox.queue import FETCH_PHOTO
from cloudcity.photo_store import StoredPhoto


@dataclass(frozen=True)
class Media:
    """One attachment of an inbound message (Twilio's MediaUrlN and MediaContentTypeN)."""

    url: str
    content_type: str | None
    # Set only by the chat simulator, which stores its upload itself (development only).
    uploaded: StoredPhoto | None = None

    @property
    def is_image(self) -> bool:
        """True when it says it is a picture of a type we keep (the worker checks the bytes)."""
        if self.uploaded is not None:
            return True
        return is_image_type(self.content_type)


@dataclass(frozen=True)
class Recorded:
    """A picture recorded: its id, and why it was refused at once (None: kept or on its way)."""

    photo_id: int
    refused: str | None = None


def record_photo(
    *, uow: UnitOfWork, address: str, media: Media, origins: tuple[str, ...], now: datetime
) -> Recorded:
    """Record a picture and enqueue its download; one from a host not Twilio's is refused now."""
    if media.uploaded is not None:
        return Recorded(_record_upload(uow=uow, address=address, media=media, now=now))
    content_type = declared_type(media.content_type)
    try:
        require_origin(media.url, origins)
    except OriginRefused as exc:
        refused = uow.photos.add(
            address=address,
            media_url=media.url,
            content_type=content_type,
            now=now,
            status=REFUSED,
            error=str(exc),
        )
        return Recorded(refused, refused=str(exc))
    photo_id = uow.photos.add(
        address=address, media_url=media.url, content_type=content_type, now=now
    )
    uow.outbox.enqueue(
        kind=FETCH_PHOTO,
        key=fetch_key(photo_id),
        recipient=address,
        payload={"photo_id": photo_id},
        now=now,
    )
    return Recorded(photo_id)


def _record_upload(*, uow: UnitOfWork, address: str, media: Media, now: datetime) -> int:
    stored = media.uploaded
    assert stored is not None
    return uow.photos.add(
        address=address,
        media_url=media.url,
        content_type=stored.content_type,
        now=now,
        status=STORED,
        stored_path=stored.path,
        size_bytes=stored.size_bytes,
    )


def fetch_key(photo_id: int) -> str:
    """The idempotency key of a picture's download in the outbox."""
    return f"photo:{photo_id}"


def attach_photos(*, uow: UnitOfWork, photo_ids: Iterable[int], address: str, order_id: int) -> int:
    """Give the pictures sent during a conversation to the order it placed (their downloads
    too, so Deliveries names the order); answers how many."""
    ids = list(photo_ids)
    uow.outbox.link_to_order([fetch_key(photo_id) for photo_id in ids], order_id=order_id)
    return uow.photos.attach(ids, address=address, order_id=order_id)
