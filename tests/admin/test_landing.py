"""The public landing page: shop details, the chat link and its QR code, the live menu."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import MenuOption
from cloudcity.web.landing import whatsapp_link
from tests.support.admin import AuthActions, place


def test_landing_shows_shop_menu_and_chat_link(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Cloud City Cake Company" in page
    assert "1 Cloud Lane, Bespin, CA 94000" in page
    assert "Chat with us on WhatsApp" in page
    assert 'href="https://wa.me/14155550123?text=' in page
    assert re.search(r"<dt>Large</dt><dd>\$42\.00</dd>", page)
    assert re.search(r"<dt>Red Velvet</dt><dd>\+\$3\.00</dd>", page)
    assert re.search(r"<dt>Vanilla</dt><dd>included</dd>", page)


def test_chat_link_keeps_only_digits_and_prefills_the_greeting() -> None:
    link = whatsapp_link("+1 (415) 555-0123")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/14155550123")
    assert parse_qs(parts.query) == {"text": ["Hi! I'd like to order a cake"]}


def test_menu_hides_switched_off_options(client: FlaskClient, session: orm.Session) -> None:
    session.execute(sa.update(MenuOption).where(MenuOption.name == "Lemon").values(active=False))
    session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<dt>Lemon</dt>" not in page
    assert "<dt>Carrot</dt>" in page


def test_qr_code_is_a_cacheable_svg(client: FlaskClient) -> None:
    response = client.get("/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")
    assert response.cache_control.max_age == 86400
    again = client.get("/qr.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_page_assets_are_served_locally(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    assert "/static/landing/landing.css" in assets
    assert not re.search(r'(?:src|href)="//', page)
    for path in assets:
        with client.get(path) as asset:
            assert asset.status_code == 200, path


ASSET = re.compile(r'<(?:img|script|link|source|iframe)\b[^>]*?\b(?:src|href)="([^"]*)"', re.I)
CSS_URL = re.compile(r'url\(\s*[\'"]?([^)\'"]+)|@import\s+[\'"]([^\'"]+)', re.I)


def test_every_asset_of_every_page_comes_from_the_app(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    """Works offline: no CDN, no web font, no remote image, on the landing page or the admin."""
    place(session)
    auth.login()
    pages = ["/", "/admin/", "/admin/orders", "/admin/orders/1", "/admin/menu", "/admin/messages"]
    assets: set[str] = set()
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assets.update(ASSET.findall(page.get_data(as_text=True)))
    for asset in sorted(assets):
        assert asset.startswith("/") and not asset.startswith("//"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            if response.mimetype == "text/css":
                for url in CSS_URL.findall(response.get_data(as_text=True)):
                    assert not re.match(r"(?:https?:)?//", "".join(url)), (asset, url)
    assert any(asset.endswith(".css") for asset in assets)


def test_qr_image_has_alternative_text(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<img src="/qr.svg"[^>]*alt="QR code that opens a WhatsApp chat', page)
    assert '<html lang="en">' in page
