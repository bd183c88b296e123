"""`cloudcity customer export|erase PHONE`: a customer's data, on request."""

from __future__ import annotations

from pathlib import Path

import click

from cloudcity.cli.context import Context, pass_context
from cloudcity.clock import system_clock


@click.group("customer")
def customer() -> None:
    """Export or erase what is held about one customer."""


@customer.command("export")
@click.argument("phone")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@pass_context
def export(ctx: Context, phone: str, output: Path | None) -> None:
    """Everything held about the customer with PHONE (+14155550100), as JSON."""
    from cloudcity.personal_data import UnknownCustomer, as_json, export_customer
    from cloudcity.photo_store import PhotoStore

    photos = PhotoStore(ctx.settings.photo_folder)
    try:
        with ctx.database.reading() as reading:
            text = as_json(export_customer(reading=reading, phone=phone, photos=photos))
    except UnknownCustomer as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@customer.command("erase")
@click.argument("phone")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def erase(ctx: Context, phone: str, yes: bool) -> None:
    """Anonymise the customer with PHONE: orders stay, their details and chat go."""
    from cloudcity.personal_data import UnknownCustomer, erase_customer
    from cloudcity.photo_store import PhotoStore

    if not yes:
        click.confirm(f"Erase the name, email, phone and chat of {phone}?", abort=True)
    try:
        with ctx.database.unit_of_work() as uow:
            customer_id = erase_customer(
                uow=uow,
                phone=phone,
                now=system_clock(),
                photos=PhotoStore(ctx.settings.photo_folder),
            )
    except UnknownCustomer as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"customer {customer_id} erased; their orders are kept, anonymised")
