"""Serve the app: Werkzeug's dev server, or gunicorn for production."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from cloudcity.config import Settings
from cloudcity.metrics_folder import use_shared_folder


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn driven from code: each worker builds its own app after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Hand our options to gunicorn's config."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the WSGI app inside the worker, so no connection crosses a fork."""
        from cloudcity.web import create_app

        return create_app(self.settings)


def serve_production(settings: Settings, *, workers: int, threads: int = 1) -> None:
    """Run gunicorn in the foreground with the given number of worker processes."""
    # Before any worker imports prometheus_client: they all count into the shared folder.
    use_shared_folder(settings.var_dir)
    preload(settings)
    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "threads": threads,
        # The app logs one line per request itself (with its id, masked); gunicorn's access
        # log would add a second, with query strings that may hold a phone number.
        "accesslog": None,
        "errorlog": "-",
        "forwarded_allow_ips": settings.proxy_ips if settings.trust_proxy else "127.0.0.1",
        "graceful_timeout": 20,
        "child_exit": _child_exit,
    }
    Gunicorn(settings, options).run()


def _child_exit(_server: Any, worker: Any) -> None:
    """A gunicorn worker is gone: drop its live gauges, keep its counters (still summed)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def preload(settings: Settings) -> None:
    """Import the web app's code and warm the date reader, before any worker starts.

    gunicorn's workers fork from this process: each one (a replacement after a crash too)
    starts with the code loaded and serves within a second, and no customer's first answer
    in words waits for dateparser to load. Nothing here opens a connection or a thread.
    """
    import cloudcity.web  # noqa: F401  (imported for its side effect: the modules loaded)
    from cloudcity.calendar.parse import warm_up

    warm_up(settings.locale)


def serve_development(settings: Settings) -> None:
    """Run Werkzeug's threaded dev server with the debugger off (it would allow remote code)."""
    from cloudcity.web import create_app

    preload(settings)

    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, debug=False, threaded=True)
