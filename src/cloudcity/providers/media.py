"""Downloading a picture a customer sent (Twilio's MediaUrl), for the outbox worker only.

Only from the allowed origins (Twilio's API and its media CDN): the host of every redirect hop
is checked before it is asked. The account's credentials go only to the media URL's own
origin: Twilio answers there with a redirect to a signed CDN URL that needs none, and a
password must never follow a redirect anywhere else. Only images are kept, told by their
bytes, and no more than the size limit is ever read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import HTTPError as TransportError

from cloudcity.images import HEAD_BYTES, declared_type, is_image_type, sniff
from cloudcity.origins import OriginRefused, require_origin
from cloudcity.providers.errors import http_error, transport_error
from cloudcity.providers.ports import DeliveryError, FetchedMedia, MediaRefused

REDIRECTS = frozenset({301, 302, 303, 307, 308})
GONE = frozenset({404, 410})
MAX_HOPS = 4  # Twilio needs one redirect; more is a loop or someone else's server
CHUNK = 64 * 1024
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class MediaRules:
    """Where pictures may come from, how big they may be and how long a download may take."""

    origins: tuple[str, ...]
    max_bytes: int
    timeout: float


def check_origin(url: str, origins: tuple[str, ...]) -> str:
    """The URL's origin when it is one we may fetch from; else MediaRefused, saying why."""
    try:
        return require_origin(url, origins)
    except OriginRefused as exc:
        raise MediaRefused(str(exc)) from None


class MediaFetcher:
    """Fetches pictures over HTTP(S) with urllib3; with Twilio's credentials when it has them."""

    def __init__(
        self,
        *,
        rules: MediaRules,
        credentials: tuple[str, str] | None = None,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        self.rules = rules
        self._auth = urllib3.make_headers(basic_auth=":".join(credentials)) if credentials else {}
        self._pool = pool or urllib3.PoolManager(retries=False)

    def fetch(self, url: str) -> FetchedMedia:
        """Download a picture; MediaRefused for a bad one, DeliveryError when it may work later."""
        deadline = time.monotonic() + self.rules.timeout
        first = check_origin(url, self.rules.origins)
        for _hop in range(MAX_HOPS + 1):
            origin = check_origin(url, self.rules.origins)
            response = self._get(url, with_auth=origin == first, deadline=deadline)
            try:
                if response.status in REDIRECTS:
                    url = self._next_hop(url, response)
                    continue
                self._check_answer(response)
                return FetchedMedia(*self._read(response, deadline))
            finally:
                _done_with(response)
        raise MediaRefused(f"more than {MAX_HOPS} redirects")

    def _get(self, url: str, *, with_auth: bool, deadline: float) -> urllib3.BaseHTTPResponse:
        left = max(deadline - time.monotonic(), 0.1)
        timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT, left), read=left)
        try:
            return self._pool.request(
                "GET",
                url,
                headers=self._auth if with_auth else {},
                redirect=False,
                retries=False,
                preload_content=False,
                timeout=timeout,
            )
        except TransportError as exc:
            raise transport_error("Twilio's media host", exc) from exc

    @staticmethod
    def _next_hop(url: str, response: urllib3.BaseHTTPResponse) -> str:
        location = response.headers.get("Location")
        if not location:
            raise MediaRefused(f"a redirect (HTTP {response.status}) without a Location")
        return urljoin(url, location)

    @staticmethod
    def _check_answer(response: urllib3.BaseHTTPResponse) -> None:
        status = response.status
        if status in (401, 403):
            raise DeliveryError(
                f"Twilio refused our credentials for the picture (HTTP {status}): check "
                "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, then retry it from the deliveries page",
                permanent=True,
                status=status,
            )
        if status in GONE:
            raise MediaRefused(f"the picture is no longer on Twilio (HTTP {status})")
        if status != 200:
            raise http_error(
                "Twilio's media host",
                status,
                "no picture",
                retry_after=response.headers.get("Retry-After"),
            )
        declared = response.headers.get("Content-Type")
        if not is_image_type(declared):
            raise MediaRefused(f"not a picture we keep ({declared_type(declared) or 'no type'})")

    def _read(self, response: urllib3.BaseHTTPResponse, deadline: float) -> tuple[str, bytes]:
        limit = self.rules.max_bytes
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise MediaRefused(_too_big(int(length), limit))
        data = bytearray()
        try:
            for chunk in response.stream(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise MediaRefused(_too_big(len(data), limit, at_least=True))
                if time.monotonic() > deadline:
                    raise DeliveryError(
                        f"the picture took over {self.rules.timeout:.0f} s to download",
                        permanent=False,
                    )
        except TransportError as exc:
            raise transport_error("Twilio's media host", exc) from exc
        kind = sniff(bytes(data[:HEAD_BYTES]))
        if kind is None:
            raise MediaRefused("not a picture: its bytes are no JPEG, PNG, WebP, GIF or HEIC")
        return kind, bytes(data)


def _done_with(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back; one with a body left unread is closed, not reused."""
    if response.headers.get("Content-Length") == "0":
        response.drain_conn()  # nothing to read: the connection can serve the next hop
    elif not response.closed:
        response.close()
    response.release_conn()


def _too_big(size: int, limit: int, *, at_least: bool = False) -> str:
    over = "over " if at_least else ""
    return (
        f"the picture is {over}{size:,} bytes; the limit is {limit:,} (CLOUDCITY_PHOTO_MAX_BYTES)"
    )
