"""Reference photos on disk: one file each under the photo folder, named by a random token.

A name says nothing about the URL or the customer it came from, and only names this module
made are ever opened, so no path from outside reaches the file system.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cloudcity.images import IMAGE_TYPES
from cloudcity.providers.local import write_atomically

NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.(?:" + "|".join(sorted(set(IMAGE_TYPES.values()))) + r")$")


@dataclass(frozen=True)
class StoredPhoto:
    """A picture written to the photo folder: its file name there, type and size."""

    path: str
    content_type: str
    size_bytes: int


class PhotoStore:
    """Writes pictures to one folder (created when needed) and finds them again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, data: bytes, content_type: str) -> StoredPhoto:
        """Write a picture of a known image type under a new unguessable name."""
        name = f"{secrets.token_urlsafe(24)}.{IMAGE_TYPES[content_type]}"
        write_atomically(self.folder, name, data)
        return StoredPhoto(path=name, content_type=content_type, size_bytes=len(data))

    def find(self, stored_path: str | None) -> Path | None:
        """The file of a stored picture, or None when the name is not one of ours or is gone."""
        if not stored_path or not NAME.fullmatch(stored_path):
            return None
        path = self.folder / stored_path
        return path if path.is_file() else None

    def discard(self, stored_path: str) -> None:
        """Remove a picture written by a fetch that lost the race to record it."""
        path = self.find(stored_path)
        if path is not None:
            path.unlink(missing_ok=True)
