"""Origins (scheme, host, port) of URLs, to tell exactly which servers we may fetch from."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}
# Twilio's MediaUrl is on its API host, which redirects to a signed URL on its media CDN.
TWILIO_MEDIA_HOSTS = "api.twilio.com, mms.twiliocdn.com"


class NotAnOrigin(ValueError):
    """Text that names no http(s) host."""


def origin_of(url: str) -> str:
    """`scheme://host:port` of an http(s) URL, lower case with the port always written."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise NotAnOrigin(f"{url[:100]!r} is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise NotAnOrigin(f"{url[:100]!r} is not an http(s) URL")
    return f"{scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS[scheme]}"


def parse_origins(text: str) -> tuple[str, ...]:
    """A comma-separated list of hosts (https), `host:port` or `scheme://host[:port]` entries."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    return tuple(origin_of(entry if "://" in entry else f"https://{entry}") for entry in entries)


class OriginRefused(ValueError):
    """A URL on a server we do not fetch from."""


def require_origin(url: str, origins: tuple[str, ...]) -> str:
    """The URL's origin when it is one of `origins`; else OriginRefused, saying why."""
    try:
        origin = origin_of(url)
    except NotAnOrigin as exc:
        raise OriginRefused(str(exc)) from None
    if origin not in origins:
        raise OriginRefused(f"{origin} is not one of Twilio's media hosts (CLOUDCITY_PHOTO_HOSTS)")
    return origin
