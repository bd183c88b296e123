"""Customers' reference photos, served to logged-in bakers only, by id (never by file name)."""

from __future__ import annotations

from flask import Response, abort, send_file

from cloudcity.db.repositories.photos import STORED
from cloudcity.images import IMAGE_TYPES, SHOWN_INLINE
from cloudcity.photo_store import PhotoStore
from cloudcity.web.admin import bp
from cloudcity.web.context import reading, settings


@bp.get("/photos/<int:photo_id>")
def photo(photo_id: int) -> Response:
    """One stored picture with its own type; HEIC (which browsers rarely show) as a download."""
    found = reading().photos.get(photo_id)
    if found is None or found.status != STORED or found.content_type not in IMAGE_TYPES:
        abort(404, description=f"there is no stored picture #{photo_id}")
    path = PhotoStore(settings().photo_folder).find(found.stored_path)
    if path is None:
        abort(404, description=f"picture #{photo_id} is missing from the photo folder")
    inline = found.content_type in SHOWN_INLINE
    response = send_file(
        path,
        mimetype=found.content_type,
        as_attachment=not inline,
        download_name=f"order-photo-{photo_id}.{IMAGE_TYPES[found.content_type]}",
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
