"""Bound bodies that arrive without a Content-Length (chunked), as if they had one.

Werkzeug caps such a stream at the request's limit by cutting it silently: a valid order
followed by megabytes of spaces reads as the order alone and is accepted. Here a chunked body
is read up to `ceiling` + 1 bytes first and handed on with its real Content-Length (or one just
over the ceiling), so Flask's own check answers 413 exactly as for a declared length.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

READ_SIZE = 64 * 1024


class BoundedBody:
    """WSGI middleware: buffer a chunked body of at most `ceiling` bytes, declare its length."""

    def __init__(self, app: WSGIApplication, *, ceiling: int) -> None:
        self.app = app
        self.ceiling = ceiling

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Pass the request on, its chunked body (if any) read and measured first."""
        if not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = _read_at_most(environ["wsgi.input"], self.ceiling + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            # Now an ordinary body of known length (Werkzeug ignores the length while chunked).
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(READ_SIZE, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
