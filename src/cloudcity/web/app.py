"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask

from cloudcity.clock import Clock, system_clock
from cloudcity.config import Settings, load_settings
from cloudcity.db import Database
from cloudcity.web import (
    admin,
    api,
    browser_headers,
    calendar_feed,
    delivery_webhooks,
    dev_chat,
    dev_outbox,
    errors,
    favicon,
    health,
    landing,
    observe,
    openapi,
    pickup_api,
    twilio_webhook,
)
from cloudcity.web.body_limit import BoundedBody
from cloudcity.web.context import Services, install
from cloudcity.web.delivery_webhooks import SENDGRID_MAX_BYTES
from cloudcity.web.proxies import TrustedProxies, networks
from cloudcity.web.twilio_auth import warn_if_unsigned
from cloudcity.web.twilio_webhook import MAX_WEBHOOK_BYTES
from cloudcity.web.webhook_keys import check_webhook_keys

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock = system_clock,
) -> Flask:
    """Build the app from settings; nothing connects until the first request needs it."""
    settings = settings or load_settings()
    app = Flask("cloudcity")
    app.config.update(
        SECRET_KEY=settings.flask_secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _wrap(app, settings)
    warn_if_unsigned(settings)
    check_webhook_keys(settings)
    found = Services(settings, database or Database.connect(settings.database_url), clock)
    install(app, found)
    observe.register(app, found)
    errors.register(app)
    browser_headers.register(app)
    for module in (
        api,
        pickup_api,
        openapi,
        health,
        twilio_webhook,
        delivery_webhooks,
        landing,
        calendar_feed,
        favicon,
    ):
        app.register_blueprint(module.bp)
    if settings.is_dev:  # the simulator and local inbox do not exist in production at all
        app.register_blueprint(dev_outbox.bp)
        app.register_blueprint(dev_chat.bp)
    admin.init_app(app, settings)
    return app


def _wrap(app: Flask, settings: Settings) -> None:
    """The WSGI middleware: bounded chunked bodies, and X-Forwarded-* from our proxies only."""
    # The largest body any route takes (SendGrid's batches, the simulator's pictures in
    # development); each route then keeps its own.
    uploads = settings.photo_max_bytes if settings.is_dev else 0
    ceiling = max(settings.max_body_bytes, SENDGRID_MAX_BYTES, MAX_WEBHOOK_BYTES, uploads)
    app.wsgi_app = BoundedBody(app.wsgi_app, ceiling=ceiling)  # type: ignore[method-assign]
    if settings.trust_proxy:
        # They set X-Forwarded-Proto/Host for signature checks and -For for the login limit.
        trusted = TrustedProxies(
            app.wsgi_app, hops=settings.trust_proxy, proxies=networks(settings.proxy_ips)
        )
        app.wsgi_app = trusted  # type: ignore[method-assign]
