"""A local HTTP server standing in for Twilio's media host (or its CDN, or someone else's).

Routes answer with a status, headers and a body (sent whole, or chunked with no length); a
host made with `credentials` answers 401 to a request without exactly those (HTTP Basic).
Every request is recorded with the Authorization header it carried.
"""

from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.support.http_stub import LocalServer

# Enough of each format's start for the magic-byte check; the rest is padding.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
GIF = b"GIF89a" + bytes(200)
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(200)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(200)


@dataclass(frozen=True)
class Served:
    """What a route answers."""

    status: int = 200
    body: bytes = JPEG
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "image/jpeg"})
    chunked: bool = False  # no Content-Length: the size shows only while reading


@dataclass(frozen=True)
class Seen:
    """A request the host got."""

    path: str
    authorization: str | None


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up on a refused download is expected: no traceback on stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def basic(user: str, password: str) -> str:
    """The Authorization header of HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class MediaHost(LocalServer):
    """A threaded HTTP server on 127.0.0.1 serving scripted routes; use it as a context manager."""

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.routes: dict[str, Served] = {}
        self.seen: list[Seen] = []
        self.expected = basic(*credentials) if credentials else None
        super().__init__(self._handler(), _QuietServer)

    def serve(self, path: str, served: Served | None = None) -> str:
        """Answer GET `path` with `served` (a JPEG by default); answers the route's full URL."""
        self.routes[path] = served or Served()
        return self.url + path

    def redirect(self, path: str, to: str, status: int = 307) -> str:
        """Answer GET `path` with a redirect to `to`; answers the route's full URL."""
        return self.serve(path, Served(status, b"", {"Location": to}))

    def __enter__(self) -> MediaHost:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                authorization = self.headers.get("Authorization")
                host.seen.append(Seen(self.path, authorization))
                served = host.routes.get(self.path, Served(404, b"not found", {}))
                if host.expected is not None and authorization != host.expected:
                    served = Served(401, b'{"code": 20003}', {"WWW-Authenticate": "Basic"})
                with contextlib.suppress(OSError):  # the client stopped reading (refused)
                    self._answer(served)

            def _answer(self, served: Served) -> None:
                self.send_response(served.status)
                for name, value in served.headers.items():
                    self.send_header(name, value)
                if served.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(served.body), 16 * 1024):
                        piece = served.body[start : start + 16 * 1024]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
