"""The admin's photo route: bakers only, stored pictures only, by id, never by path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.photo_store import PhotoStore
from tests.support.admin import AuthActions
from tests.support.media_host import HEIC, PNG

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def add_photo(database: Database, **values: object) -> int:
    """A photo row as the worker would leave it; answers its id."""
    row: dict[str, object] = {
        "address": "whatsapp:+14155550100",
        "media_url": "https://api.twilio.com/x",
        "content_type": "image/png",
        "now": NOW,
        **values,
    }
    with database.unit_of_work() as uow:
        return uow.photos.add(**row)  # type: ignore[arg-type]


def stored(database: Database, settings: Settings, data: bytes, content_type: str) -> int:
    """A picture saved in the photo folder and recorded as stored."""
    saved = PhotoStore(settings.photo_folder).save(data, content_type)
    return add_photo(
        database,
        status="stored",
        content_type=content_type,
        stored_path=saved.path,
        size_bytes=saved.size_bytes,
    )


def test_only_a_logged_in_baker_sees_a_picture(
    client: FlaskClient, database: Database, settings: Settings
) -> None:
    photo_id = stored(database, settings, PNG, "image/png")
    response = client.get(f"/admin/photos/{photo_id}")
    assert response.status_code in (302, 401)
    assert PNG not in response.data


def test_a_heic_picture_is_a_download(
    client: FlaskClient, auth: AuthActions, database: Database, settings: Settings
) -> None:
    photo_id = stored(database, settings, HEIC, "image/heic")
    auth.login()
    with client.get(f"/admin/photos/{photo_id}") as response:
        assert response.mimetype == "image/heic"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/admin/photos/999", "/admin/photos/..%2F..%2Fetc%2Fpasswd", "/admin/photos/../../etc/passwd"],
)
def test_nothing_but_a_stored_picture_is_served(
    client: FlaskClient, auth: AuthActions, path: str
) -> None:
    auth.login()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "values",
    [
        {"status": "pending"},
        {"status": "refused", "error": "too big"},
        {"status": "stored", "stored_path": "../../db/cloudcity.db"},
        {"status": "stored", "stored_path": "/etc/passwd"},
        {"status": "stored", "stored_path": "A" * 32 + ".png"},  # a name with no file
        {"status": "stored", "content_type": "text/html", "stored_path": "A" * 32 + ".png"},
    ],
    ids=["pending", "refused", "climbing path", "absolute path", "missing file", "not an image"],
)
def test_a_photo_row_that_is_no_stored_picture_of_ours_is_a_404(
    client: FlaskClient, auth: AuthActions, database: Database, values: dict[str, object]
) -> None:
    photo_id = add_photo(database, **values)
    auth.login()
    assert client.get(f"/admin/photos/{photo_id}").status_code == 404
