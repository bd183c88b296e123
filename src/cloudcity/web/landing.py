"""The public landing page: who we are, how to order by chat, the menu and where to find us."""

from __future__ import annotations

import hashlib
import io
import re
from functools import lru_cache
from urllib.parse import quote

import segno
from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from cloudcity.allergens import words
from cloudcity.domain import MenuItem, OptionKind
from cloudcity.money import format_money
from cloudcity.web.context import reading, settings

bp = Blueprint("landing", __name__)
GREETING = "Hi! I'd like to order a cake"
KIND_TITLES = {
    OptionKind.SIZE: "Sizes",
    OptionKind.FLAVOUR: "Flavours",
    OptionKind.FROSTING: "Frostings",
    OptionKind.TOPPING: "Toppings",
}


def whatsapp_link(phone: str, text: str = GREETING) -> str:
    """The click-to-chat link for a phone number, with a greeting already typed."""
    digits = re.sub(r"\D", "", phone)
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


@lru_cache(maxsize=8)
def qr_svg(link: str) -> bytes:
    """A QR code of the link as a standalone SVG document (made once per link)."""
    buffer = io.BytesIO()
    code = segno.make(link, error="m")
    code.save(buffer, kind="svg", scale=6, border=2, xmldecl=False, title="WhatsApp QR code")
    return buffer.getvalue()


@bp.get("/")
def index() -> str:
    """The shop's front page."""
    config = settings()
    grouped = reading().menu.orderable()
    return render_template(
        "landing/index.html",
        shop=config,
        link=whatsapp_link(config.shop_phone),
        sections=[(KIND_TITLES[kind], kind, grouped[kind]) for kind in OptionKind],
        price=lambda option: _price_label(option, config.currency),
        contains=lambda option: words(option.allergens),
    )


@bp.get("/qr.svg")
def qr_code() -> Response:
    """The QR code of the chat link; browsers may cache it for a day."""
    body = qr_svg(whatsapp_link(settings().shop_phone))
    response = Response(body, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)


def _price_label(option: MenuItem, currency: str) -> str:
    if option.kind is OptionKind.SIZE:
        return format_money(option.price_cents, currency)
    if option.price_cents == 0:
        return "included"
    return "+" + format_money(option.price_cents, currency)
