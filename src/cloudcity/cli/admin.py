"""`cloudcity admin ...`: manage the bakers who may log in to the admin."""

from __future__ import annotations

import os

import click

from cloudcity import admins
from cloudcity.config import Settings, SettingsError, load_settings
from cloudcity.db import Database

PASSWORD_ENV = "CLOUDCITY_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password


@click.group("admin")
def admin() -> None:
    """Manage admin users (the bakers' logins)."""


@admin.command("create-user")
@click.argument("username")
def create_user(username: str) -> None:
    """Create an admin user; the password is asked twice, or read from $CLOUDCITY_ADMIN_PASSWORD."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    database = Database.connect(_settings().database_url)
    try:
        with database.unit_of_work() as uow:
            admins.create_user(uow=uow, username=username, password=password)
    except admins.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        database.dispose()
    click.echo(f"admin user {username.strip()!r} created; log in at /admin/login")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def ensure_dev_admin(database: Database, settings: Settings) -> None:
    """In development, with no admin user yet, create one and print its password once."""
    if not settings.is_dev:
        return
    with database.unit_of_work() as uow:
        created = admins.create_first_admin(uow=uow)
    if created is not None:
        username, password = created
        click.secho(
            f"created the first admin user: {username} / {password}\n"
            f"  log in at http://{settings.host}:{settings.port}/admin/login "
            "(this password is not shown again; add users with `cloudcity admin create-user`)",
            fg="yellow",
        )
