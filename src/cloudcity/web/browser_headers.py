"""Browser protections on every answer: a strict CSP, no framing, no sniffing, no caching.

The pages load their scripts and styles from /static only (no inline script, style or event
handler), so the policy allows nothing else. Anything that may carry personal data (admin
pages, CSV exports, invoice PDFs, API answers) is `no-store`; a view that chose its own
caching (static files, the landing page's QR code) keeps it.
"""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    """Add the headers to every response of the app."""
    app.after_request(protect)


def protect(response: Response) -> Response:
    """Set the security headers a view did not set itself."""
    headers = response.headers
    if "Content-Security-Policy" not in headers:  # a view with its own policy frames itself
        headers["Content-Security-Policy"] = CSP
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response
