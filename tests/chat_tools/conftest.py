"""Chat tools tests: the live server and browser fixtures come from tests/browser.py."""

from tests.browser import browser, live_server, page  # noqa: F401 - pytest fixtures
