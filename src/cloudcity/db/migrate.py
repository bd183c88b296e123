"""Alembic, driven from code: upgrade a database to head, or tell what is pending."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic Config pointing at the bundled migrations, optionally on a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Apply every pending migration in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def pending(engine: sa.Engine) -> list[str]:
    """The revisions not yet applied to this database, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return [
        rev.revision
        for rev in reversed(list(script.walk_revisions()))
        if rev.revision not in current and not _is_ancestor(script, rev.revision, current)
    ]


def _is_ancestor(script: ScriptDirectory, revision: str, heads: set[str]) -> bool:
    return any(revision in {r.revision for r in script.iterate_revisions(h, "base")} for h in heads)
