"""The worker's job for a `fetch_photo` row: download a customer's picture and keep it.

Not a message: nothing is sent, so there is nothing to look for after a crash. Doing it twice
does no harm: a picture already settled is not fetched again, and a file written by a fetch
that lost the race to record it is removed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.repositories.photos import PENDING
from cloudcity.db.repositories.values import Claimed, Photo
from cloudcity.outbox.queue import FETCH_PHOTO
from cloudcity.photo_store import PhotoStore
from cloudcity.providers.factory import build_media_fetcher
from cloudcity.providers.ports import DeliveryError, FetchedMedia, FetchesMedia, MediaRefused

log = logging.getLogger(__name__)


class Job(Protocol):
    """Work an outbox row stands for that is not a message to send."""

    def run(self, message: Claimed, *, now: datetime) -> str:
        """Do it, outside any transaction; answers a result id or raises DeliveryError."""
        ...


class PhotoFetchJob:
    """Downloads a pending picture and records it stored or refused."""

    def __init__(self, database: Database, fetcher: FetchesMedia, store: PhotoStore) -> None:
        self.database = database
        self.fetcher = fetcher
        self.store = store

    def run(self, message: Claimed, *, now: datetime) -> str:
        """Fetch the row's picture; refusals settle it, other errors leave it to retry."""
        photo = self._photo(message)
        if photo.status != PENDING:
            return photo.stored_path or f"photo-{photo.id}"  # settled by an earlier attempt
        try:
            media = self.fetcher.fetch(photo.media_url)
        except MediaRefused as exc:
            self._refuse(photo, str(exc), now)
            raise DeliveryError(f"picture #{photo.id} refused: {exc}", permanent=True) from exc
        except DeliveryError as exc:
            self._note(photo, str(exc), now)
            raise
        return self._keep(photo, media, now)

    def _photo(self, message: Claimed) -> Photo:
        photo_id = message.payload.get("photo_id")
        with self.database.reading() as reading:
            photo = reading.photos.get(int(photo_id)) if isinstance(photo_id, int) else None
        if photo is None:
            raise DeliveryError(f"{message.idempotency_key!r} names no picture", permanent=True)
        return photo

    def _note(self, photo: Photo, error: str, now: datetime) -> None:
        self.database.run(lambda uow: uow.photos.note_error(photo.id, error=error, now=now))

    def _refuse(self, photo: Photo, reason: str, now: datetime) -> None:
        log.info("picture #%s refused: %s", photo.id, reason)
        self.database.run(lambda uow: uow.photos.mark_refused(photo.id, reason=reason, now=now))

    def _keep(self, photo: Photo, media: FetchedMedia, now: datetime) -> str:
        stored = self.store.save(media.data, media.content_type)
        kept = self.database.run(
            lambda uow: uow.photos.mark_stored(
                photo.id,
                stored_path=stored.path,
                content_type=stored.content_type,
                size_bytes=stored.size_bytes,
                now=now,
            )
        )
        if not kept:
            self.store.discard(stored.path)  # another attempt settled it meanwhile
        return stored.path


def default_jobs(database: Database, settings: Settings) -> dict[str, Job]:
    """The jobs a worker runs besides sending messages, built from the settings."""
    store = PhotoStore(settings.photo_folder)
    return {FETCH_PHOTO: PhotoFetchJob(database, build_media_fetcher(settings), store)}
