"""Fixtures shared by every test: a real database (SQLite or PostgreSQL), the app, its client.

The suite runs once per backend: plain `pytest` uses a SQLite file per test;
`CLOUDCITY_TEST_DATABASE_URL=postgresql+psycopg://...` runs it against PostgreSQL in a schema
of its own per process (so per pytest-xdist worker), emptied after each test. Under CI an
unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database, UnitOfWork
from cloudcity.db.menu_cache import MenuCache
from cloudcity.db.models import Base
from cloudcity.web import create_app

pytest_plugins = ["tests.support.prism", "tests.support.browser"]
PG_ENV = "CLOUDCITY_TEST_DATABASE_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_report_header() -> str:
    """Say which backend this run uses."""
    return f"cloudcity database: {os.environ.get(PG_ENV) or 'sqlite (file per test)'}"


@pytest.fixture(scope="session")
def backend_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database: a SQLite file to copy, or a PostgreSQL schema to reuse."""
    pg_url = os.environ.get(PG_ENV)
    if not pg_url:
        path = tmp_path_factory.mktemp("template") / "cloudcity.db"
        database = Database.connect(str(path))
        prepare(database)
        database.dispose()
        yield str(path)
        return
    yield from _postgres_schema(pg_url)


def _postgres_schema(base_url: str) -> Iterator[str]:
    schema = f"cc_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(sa.make_url(base_url).set(drivername="postgresql+psycopg"))
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {base_url} ({exc.orig}); start it to run")
    url = sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    database = Database.connect(url_text)
    prepare(database)
    database.dispose()
    try:
        yield url_text
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(backend_template: str, tmp_path: Path) -> Iterator[str]:
    """A database for one test, with the schema and the default menu in it."""
    if "://" not in backend_template:
        path = tmp_path / "db" / "cloudcity.db"
        path.parent.mkdir()
        shutil.copyfile(backend_template, path)
        yield str(path)
        return
    yield backend_template
    _empty_postgres(backend_template)


# Restart the schema's sequences, as TRUNCATE ... RESTART IDENTITY would.
RESTART_SEQUENCES = sa.text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
)


def _empty_postgres(url: str) -> None:
    # DELETE, not TRUNCATE: on these few rows it takes milliseconds where TRUNCATE's new files
    # take about 200 ms, paid after every test.
    database = Database.connect(url)
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        connection.execute(RESTART_SEQUENCES)
    prepare(database)
    database.dispose()


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    """True when this run is on PostgreSQL."""
    return database_url.startswith("postgresql")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's Database (engine and session factory)."""
    found = Database.connect(database_url)
    yield found
    found.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Development settings on the test database, with no provider keys and no .env file."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        var_dir=str(tmp_path / "var"),
        run_worker_in_app=False,
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    """The app under test."""
    flask_app = create_app(settings, database=database)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def session(database: Database) -> Iterator[orm.Session]:
    """A session to arrange and inspect data; commit what the app must see."""
    with database.sessions() as found:
        yield found


def uow_on(session: orm.Session) -> UnitOfWork:
    """The repositories on a test's own session, to arrange data through the use cases."""
    return UnitOfWork(session, MenuCache())


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose environment points the command at the test database."""
    monkeypatch.setenv("CLOUDCITY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLOUDCITY_VAR_DIR", settings.var_dir)
    return CliRunner()
