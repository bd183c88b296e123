"""The app's own icon: served where browsers look, cached, and linked from every page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from tests.support.admin import AuthActions, every_page, place

ICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'


@pytest.mark.parametrize("path", ["/favicon.ico", "/favicon.svg"])
def test_the_icon_is_a_cacheable_svg(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert "max-age=604800" in response.headers["Cache-Control"]
        assert "no-store" not in response.headers["Cache-Control"]
        assert response.get_data(as_text=True).lstrip().startswith("<svg")
        etag = response.headers["ETag"]
    with client.get(path, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_every_page_links_the_icon(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    login = client.get("/admin/login").get_data(as_text=True)
    assert ICON_LINK in login
    order = place(session)
    auth.login()
    for name, path in every_page(order.id).items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert ICON_LINK in response.get_data(as_text=True), name
