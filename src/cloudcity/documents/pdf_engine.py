"""WeasyPrint, imported in one place.

On Debian without libharfbuzz-subset0, WeasyPrint 70 warns at import time that a future version
will need that library; it falls back to fontTools subsetting meanwhile, which works. The warning
says nothing our code can act on, and under `filterwarnings=error` it would break every test that
renders a PDF, so it is silenced here, narrowly, by its message.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["HTML", "URLFetcher", "URLFetcherResponse"]
