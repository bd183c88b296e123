"""Trust X-Forwarded-* only from our own proxies, and only as many hops as configured.

ProxyFix alone believes whoever connects: a client that reaches the app directly could send
any X-Forwarded-For and rotate it past the login limit. Here a request whose peer is not one
of CLOUDCITY_PROXY_IPS has its X-Forwarded-* headers dropped; from a proxy, ProxyFix takes the
address CLOUDCITY_TRUST_PROXY hops from the right, the one our outermost proxy saw.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")
FORWARDED_ALL = (*FORWARDED, "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def networks(text: str) -> list[Network]:
    """Parse "127.0.0.1, 10.0.0.0/8, ::1" into networks; ValueError names a bad entry."""
    found = []
    for entry in (part.strip() for part in text.split(",")):
        if entry:
            found.append(ipaddress.ip_network(entry, strict=False))
    return found


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from our proxies, plain for everyone else."""

    def __init__(self, app: WSGIApplication, *, hops: int, proxies: Iterable[Network]) -> None:
        self.direct = app
        self.proxied = ProxyFix(app, x_for=hops, x_proto=1, x_host=1)
        self.proxies = tuple(proxies)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Route the request through ProxyFix only when its peer is a trusted proxy."""
        if _is_in(environ.get("REMOTE_ADDR", ""), self.proxies):
            return self.proxied(environ, start_response)
        for header in FORWARDED_ALL:
            environ.pop(header, None)
        return self.direct(environ, start_response)


def _is_in(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)
