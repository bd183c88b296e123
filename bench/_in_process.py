"""The app in this process on a fresh database, for the benches that use Flask's test client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask.testing import FlaskClient

from bench._harness import fresh_database
from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.web import create_app


@contextmanager
def in_process_app(database_url: str | None) -> Iterator[tuple[Database, FlaskClient]]:
    """A migrated, seeded database (SQLite file, or a fresh PostgreSQL schema) and a client."""
    with fresh_database(database_url) as url:
        database = Database.connect(url)
        prepare(database)
        var = Path(url).parent if "://" not in url else Path("/tmp/cc-bench-var")
        settings = Settings(
            _env_file=None, database_url=url, var_dir=str(var / "var"), run_worker_in_app=False
        )
        try:
            yield database, create_app(settings, database=database).test_client()
        finally:
            database.dispose()
