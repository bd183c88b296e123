"""What every page carries: the app's own icon (served where browsers look, cached) and a
mobile viewport (tests/admin/test_admin_responsive.py checks the layout in a browser)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.providers import build_providers
from tests.support.admin import AuthActions, chat_with, every_page, place
from tests.support.documents import receipt_email

ICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+=", re.IGNORECASE)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


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


def test_every_page_links_the_icon_and_has_a_mobile_viewport(
    client: FlaskClient, auth: AuthActions, session: orm.Session, settings: Settings
) -> None:
    build_providers(settings).email.send_email(receipt_email())  # for the dev email page
    login = client.get("/admin/login").get_data(as_text=True)
    assert ICON_LINK in login and VIEWPORT in login
    order = place(session)
    auth.login()
    pages = {**every_page(order.id, chat_with(session, order)), "dev-email": dev_email_page(client)}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        assert ICON_LINK in page, name
        assert VIEWPORT in page, name
        assert not INLINE_HANDLER.search(page), name  # the CSP would refuse to run it


def dev_email_page(client: FlaskClient) -> str:
    """The path of the dev outbox's page of its one email."""
    outbox = client.get("/dev/outbox").get_data(as_text=True)
    found = re.search(r'href="(/dev/outbox/emails/[^"/]+)"', outbox)
    assert found is not None, "no email in the dev outbox"
    return found.group(1)
