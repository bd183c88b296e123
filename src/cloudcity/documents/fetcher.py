"""The only way WeasyPrint may load a resource: our own bundled files, nothing else.

Customer text ends up in the invoice. It is escaped, but should markup ever slip through,
WeasyPrint would happily fetch `http://` (SSRF) or `file:///etc/passwd` (disclosure). This
fetcher refuses every URL but a file inside the documents templates folder.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from cloudcity.documents.pdf_engine import URLFetcher, URLFetcherResponse


class RefusedFetch(ValueError):
    """A document tried to load something that is not one of our bundled files."""


class BundledFilesFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """A WeasyPrint URL fetcher that serves files under `root` and refuses everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Serve a bundled file; raise RefusedFetch for any other URL."""
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def resolve(self, url: str) -> Path:
        """The bundled file a URL names, or RefusedFetch."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedFetch(f"documents may only load bundled files, not {url[:200]!r}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedFetch(f"{url[:200]!r} is not a bundled documents file")
        return path
