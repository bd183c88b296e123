"""Alembic environment: runs on the connection cloudcity.db.migrate hands in."""

from __future__ import annotations

from alembic import context

from cloudcity.db import models
from cloudcity.db.engine import create_engine

target_metadata = models.Base.metadata


def run() -> None:
    """Run migrations on a given connection, or on the URL in the Alembic config."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "var/cloudcity.db")
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
