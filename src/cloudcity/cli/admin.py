"""`cloudcity admin ...`: manage the bakers who may log in to the admin."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from cloudcity.cli.context import Context, pass_context

if TYPE_CHECKING:
    from cloudcity.config import Settings
    from cloudcity.db import Database

PASSWORD_ENV = "CLOUDCITY_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password


@click.group("admin")
def admin() -> None:
    """Manage admin users (the bakers' logins)."""


@admin.command("create-user")
@click.argument("username")
@pass_context
def create_user(ctx: Context, username: str) -> None:
    """Create an admin user; the password is asked twice, or read from $CLOUDCITY_ADMIN_PASSWORD."""
    from cloudcity import admins

    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        with ctx.database.unit_of_work() as uow:
            admins.create_user(uow=uow, username=username, password=password)
    except admins.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"admin user {username.strip()!r} created; log in at /admin/login")


@admin.command("reset-password")
@click.argument("username")
@pass_context
def reset_password(ctx: Context, username: str) -> None:
    """Give an admin user a new random password (printed once) and log them out everywhere."""
    from cloudcity import admins

    try:
        with ctx.database.unit_of_work() as uow:
            password = admins.reset_password(uow=uow, username=username)
    except admins.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"new password for {username.strip()!r}: {password}\n"
        "  (shown only this once; every session of this user has ended: log in again at "
        "/admin/login)"
    )


def ensure_dev_admin(database: Database, settings: Settings) -> None:
    """In development, with no admin user yet, create one and print its password once."""
    from cloudcity import admins

    if not settings.is_dev:
        return
    with database.unit_of_work() as uow:
        created = admins.create_first_admin(uow=uow)
    if created is not None:
        username, password = created
        click.secho(
            f"created the first admin user: {username} / {password}\n"
            f"  log in at http://{settings.host}:{settings.port}/admin/login "
            "(this password is not shown again; add users with `cloudcity admin create-user`, "
            "or give one a new password with `cloudcity admin reset-password NAME`)",
            fg="yellow",
        )
