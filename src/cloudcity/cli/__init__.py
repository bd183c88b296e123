"""The `cloudcity` command line."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

# Only click and our thin command modules here: see cloudcity.cli.context on start-up time.
from cloudcity.cli.admin import admin, ensure_dev_admin
from cloudcity.cli.chat import chat, studio_flow
from cloudcity.cli.context import Context, pass_context, prepare, use_settings_logging
from cloudcity.cli.customer import customer
from cloudcity.cli.outbox import dev_worker, outbox, worker
from cloudcity.clock import system_clock
from cloudcity.logs import configure_logging

if TYPE_CHECKING:
    from cloudcity.config import Settings

__all__ = ["Context", "main", "prepare"]


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Cloud City: cake orders over WhatsApp and SMS."""
    # Readable until a command that serves knows the settings (JSON in production).
    configure_logging(json=False, verbose=verbose)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply pending migrations and seed the default menu into an empty database."""
    prepare(ctx.database, ctx.settings)
    click.echo("database is up to date")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def db_backup(ctx: Context, path: Path) -> None:
    """Copy the database to PATH while the app runs (SQLite's backup API, or pg_dump)."""
    from cloudcity.backup import BackupError, backup

    try:
        click.echo(backup(ctx.settings.database_url, path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@db.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@pass_context
def db_restore(ctx: Context, path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH; refused while the app runs on it."""
    from cloudcity.backup import BackupError, restore

    settings = ctx.settings
    if not yes:
        click.confirm(f"Replace everything in {settings.database_url} with {path}?", abort=True)
    stale = timedelta(seconds=settings.ready_worker_stale_seconds)
    try:
        click.echo(restore(settings.database_url, path, now=system_clock(), stale=stale))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("prune")
@pass_context
def prune_old_data(ctx: Context) -> None:
    """Remove chat transcripts, delivery events and sent payloads past their retention age."""
    from cloudcity.retention import Ages, prune

    settings = ctx.settings
    totals = prune(
        ctx.database,
        now=system_clock(),
        ages=Ages.from_settings(settings),
        batch_size=settings.prune_batch_size,
    )
    for kind, count in totals.items():
        click.echo(f"{count:>8} {kind}")


@main.command("menu")
@pass_context
def show_menu(ctx: Context) -> None:
    """Print the menu with prices; switched-off options are marked."""
    from cloudcity.db.repositories.menu import group
    from cloudcity.money import format_money

    currency = ctx.settings.currency
    with ctx.database.reading() as reading:
        grouped = group(reading.menu.options(only_active=False))
    for kind, options in grouped.items():
        click.echo(f"{kind.value.title()}:")
        for option in options:
            off = "" if option.active else "  (off)"
            click.echo(f"  {option.name:<22} {format_money(option.price_cents, currency):>9}{off}")


@main.command("serve")
@click.option("--prod", is_flag=True, help="Serve with gunicorn instead of the dev server.")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option(
    "--threads", default=1, show_default=True, help="Threads per gunicorn worker (gthread)."
)
@pass_context
def serve(ctx: Context, prod: bool, workers: int, threads: int) -> None:
    """Migrate once, then serve the app (the dev server, or gunicorn with --prod)."""
    from cloudcity.serving import serve_development, serve_production

    settings = ctx.settings
    use_settings_logging(settings)
    prepare(ctx.database, ctx.settings)
    ensure_dev_admin(ctx.database, settings)
    # Migrations ran in this process before any worker exists; workers open their own pools.
    ctx.database.dispose()
    _warn_if_open(settings)
    from cloudcity.backup import hold_in_use

    with hold_in_use(settings.database_url):  # `db restore` refuses while it is held
        if prod or settings.env == "production":
            serve_production(settings, workers=workers, threads=threads)
        else:
            with dev_worker(settings):
                serve_development(settings)


def _warn_if_open(settings: Settings) -> None:
    if settings.api_auth is None:
        logging.getLogger(__name__).warning(
            "the JSON API is open (no CLOUDCITY_API_USER/PASSWORD); listening on %s only",
            settings.host,
        )


main.add_command(studio_flow)
main.add_command(chat)
main.add_command(worker)
main.add_command(outbox)
main.add_command(admin)
main.add_command(customer)

if __name__ == "__main__":
    main()
