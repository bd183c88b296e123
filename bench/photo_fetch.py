"""Download N pictures through the worker's fetcher from local stand-ins for Twilio's media
host and its CDN; print p50/p99/mean milliseconds and throughput per route.

    .venv/bin/python -m bench.photo_fetch                 # 200 downloads of 1 MiB each way
    .venv/bin/python -m bench.photo_fetch -n 20 --kib 64  # a quick check

"direct": the API host answers the picture itself (HTTP Basic checked); "redirect": it answers
307 to a signed URL on the CDN host, as Twilio does, so each download is two requests. Both
servers run in this process (threads), on 127.0.0.1: the figures are the fetcher's own cost
(hop checks, streaming under the size limit, magic bytes), not the network's.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.invoice_pdf import percentile
from cloudcity.origins import origin_of
from cloudcity.providers.media import MediaFetcher, MediaRules

SID, TOKEN = "AC" + "0" * 32, "bench-token"
AUTH = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def handler(picture: bytes, redirect_to: str | None) -> type[BaseHTTPRequestHandler]:
    """Serves `/media` (auth checked; the picture, or a redirect) and `/signed` (the picture)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/media" and self.headers.get("Authorization") != AUTH:
                self._send(401, b"", {})
            elif self.path == "/media" and redirect_to:
                self._send(307, b"", {"Location": redirect_to})
            else:
                self._send(200, picture, {"Content-Type": "image/jpeg"})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(picture: bytes, redirect_to: str | None = None) -> Iterator[str]:
    """A threaded server on 127.0.0.1 for the life of the block; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(picture, redirect_to))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def timed(fetcher: MediaFetcher, url: str, count: int) -> list[float]:
    """Milliseconds per download, sorted; every download must be the whole picture."""
    fetcher.fetch(url)  # warm-up: the pool's first connection
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        fetched = fetcher.fetch(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert fetched.content_type == "image/jpeg"
    return sorted(timings)


def report(route: str, timings: list[float], size: int) -> None:
    """One line of figures for a route."""
    mean = statistics.fmean(timings)
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    print(
        f"{route:>8}: p50={p50:.2f} ms  p99={p99:.2f} ms  mean={mean:.2f} ms"
        f"  {size / 1e6 / (mean / 1000):.0f} MB/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="downloads per route (default 200)")
    parser.add_argument("--kib", type=int, default=1024, help="picture size in KiB (default 1024)")
    args = parser.parse_args()
    picture = JPEG_HEAD + bytes(args.kib * 1024 - len(JPEG_HEAD))
    with (
        serving(picture) as api,
        serving(picture) as cdn,
        serving(picture, redirect_to=f"{cdn}/signed") as redirecting,
    ):
        origins = tuple(origin_of(url) for url in (api, cdn, redirecting))
        rules = MediaRules(origins=origins, max_bytes=len(picture), timeout=30.0)
        fetcher = MediaFetcher(rules=rules, credentials=(SID, TOKEN))
        print(f"photo fetch: n={args.n} size={len(picture):,} bytes (limit = size)")
        report("direct", timed(fetcher, f"{api}/media", args.n), len(picture))
        report("redirect", timed(fetcher, f"{redirecting}/media", args.n), len(picture))


if __name__ == "__main__":
    main()
