"""Twilio webhook signatures: every request must carry a valid X-Twilio-Signature."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Request, abort, request

from cloudcity.config import Settings
from cloudcity.providers.twilio_signature import valid_signature
from cloudcity.web.context import settings

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def signed_url(req: Request, config: Settings) -> str:
    """The URL Twilio signed: the public base URL when configured, else the one we were sent to.

    Behind ngrok or a load balancer the internal URL differs from the public one, so a
    configured CLOUDCITY_PUBLIC_URL (or X-Forwarded-* via ProxyFix when trusted) wins.
    """
    if config.public_url is None:
        return req.url
    base = str(config.public_url).rstrip("/")
    query = req.query_string.decode()
    return base + req.path + (f"?{query}" if query else "")


def is_valid_signature(req: Request, config: Settings) -> bool:
    """True when the request's signature matches the account's auth token."""
    if config.twilio_auth_token is None:
        return config.is_dev  # validation is off only in local development
    return valid_signature(
        url=signed_url(req, config),
        params=req.form.to_dict(flat=True) if req.form else {},
        signature=req.headers.get("X-Twilio-Signature", ""),
        auth_token=config.twilio_auth_token.get_secret_value(),
    )


def twilio_signed(view: F) -> F:
    """Refuse (403) a webhook request whose Twilio signature is missing or wrong."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not is_valid_signature(request, settings()):
            log.warning(
                "refused a webhook with a bad Twilio signature from %s", request.remote_addr
            )
            abort(403, description="invalid Twilio signature")
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def warn_if_unsigned(config: Settings) -> None:
    """Say loudly at start-up that webhooks accept unsigned requests."""
    if config.twilio_auth_token is None and config.is_dev:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: Twilio webhook signatures are NOT checked "
            "(fine for local development only)"
        )
