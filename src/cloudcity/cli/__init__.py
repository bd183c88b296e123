"""The `cloudcity` command line."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

# Only click and our thin command modules here: see cloudcity.cli.context on start-up time.
from cloudcity.cli.admin import admin, ensure_dev_admin
from cloudcity.cli.chat import chat, studio_flow
from cloudcity.cli.context import Context, pass_context, prepare
from cloudcity.cli.outbox import dev_worker, outbox, worker

if TYPE_CHECKING:
    from cloudcity.config import Settings

__all__ = ["Context", "main", "prepare"]


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Cloud City: cake orders over WhatsApp and SMS."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # WeasyPrint narrates every render at INFO; only its warnings matter to an operator.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply pending migrations and seed the default menu into an empty database."""
    prepare(ctx.database, ctx.settings)
    click.echo("database is up to date")


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
    prepare(ctx.database, ctx.settings)
    ensure_dev_admin(ctx.database, settings)
    # Migrations ran in this process before any worker exists; workers open their own pools.
    ctx.database.dispose()
    _warn_if_open(settings)
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

if __name__ == "__main__":
    main()
