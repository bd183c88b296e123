"""Alembic owns the schema: an empty database upgraded to head matches the models exactly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cloudcity.db import Database
from cloudcity.db.migrate import pending, upgrade
from cloudcity.db.models import Base

PG_ENV = "CLOUDCITY_TEST_DATABASE_URL"


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, on the backend of this run."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield str(tmp_path / "empty.db")
        return
    schema = f"cc_empty_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(sa.make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_to_head_matches_the_models(empty_url: str) -> None:
    database = Database.connect(empty_url)
    assert pending(database.engine)  # nothing applied yet
    upgrade(database.engine)
    assert pending(database.engine) == []
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    database.dispose()
    assert differences == []


def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    database = Database.connect(empty_url)
    upgrade(database.engine)
    upgrade(database.engine)
    assert pending(database.engine) == []
    database.dispose()
