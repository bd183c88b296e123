"""`cloudcity worker` sends what the outbox holds; `cloudcity outbox` shows and retries it."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.outbox.manage import OutboxError, retry_message, unsent
from cloudcity.outbox.ports import Senders

if TYPE_CHECKING:
    from cloudcity.cli import Context

log = logging.getLogger(__name__)


def _context() -> Context:
    # Imported here: cli.py imports this module to register its commands.
    from cloudcity.cli import Context

    return click.get_current_context().ensure_object(Context)


def _database() -> Database:
    """The command's database, its pool closed when the command ends."""
    database = _context().database
    click.get_current_context().call_on_close(database.dispose)
    return database


def build_providers(settings: Settings) -> Senders:
    """The real providers (or local file transports without keys), from cloudcity.providers."""
    try:
        # By name: the providers package imports the Twilio and SendGrid SDKs, which are slow.
        build = importlib.import_module("cloudcity.providers").build_providers
    except (ImportError, AttributeError) as exc:
        raise click.ClickException(
            f"cannot send: cloudcity.providers.build_providers is not available ({exc})"
        ) from None
    providers: Senders = build(settings)
    return providers


@click.command("worker")
@click.option("--once", is_flag=True, help="Process one batch and exit.")
@click.option("--batch-size", type=click.IntRange(1, 500), help="Messages claimed at a time.")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), help="Seconds between polls.")
@click.option("--lease", type=click.FloatRange(min=1), help="Seconds a claim lasts.")
def worker(
    once: bool, batch_size: int | None, poll_interval: float | None, lease: float | None
) -> None:
    """Send the outbox's messages until SIGTERM or Ctrl-C (the message in hand is finished)."""
    from cloudcity.outbox.receipts import RendererMissing
    from cloudcity.outbox.worker import Worker, build_dispatcher

    settings = _context().settings
    try:
        dispatcher = build_dispatcher(settings, build_providers(settings))
    except RendererMissing as exc:
        raise click.ClickException(str(exc)) from None
    found = Worker(
        _database(),
        dispatcher,
        settings,
        batch_size=batch_size,
        poll_interval=poll_interval,
        lease=lease,
    )
    if once:
        click.echo(f"processed {found.run_once()} message(s)")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    found.run_forever(stop)


@click.group("outbox")
def outbox() -> None:
    """See and retry the messages waiting to be sent."""


@outbox.command("list")
def list_unsent() -> None:
    """List messages not sent yet: waiting, failed and dead, with their last error."""
    with _database().unit_of_work() as session:
        rows = unsent(session)
        for row in rows:
            due = row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
            click.echo(
                f"{row.id:>6}  {row.status:<8} {row.kind:<15} attempts={row.attempts} "
                f"due={due}Z  {row.idempotency_key}"
            )
            if row.last_error:
                click.echo(f"        last error: {row.last_error}")
    if not rows:
        click.echo("nothing waiting: every message was sent")


@outbox.command("retry")
@click.argument("message_id", type=int)
def retry(message_id: int) -> None:
    """Send a failed or dead message again, now."""
    try:
        with _database().unit_of_work() as session:
            retry_message(session, message_id=message_id, now=utcnow())
    except OutboxError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"outbox message {message_id} is pending again")


@contextmanager
def dev_worker(settings: Settings) -> Iterator[None]:
    """Run a worker thread beside the dev server when settings.run_worker_in_app is true."""
    if not settings.run_worker_in_app:
        yield
        return
    from cloudcity.outbox.receipts import RendererMissing
    from cloudcity.outbox.worker import start_worker_thread

    database = Database.connect(settings.database_url)
    try:
        thread, stop = start_worker_thread(database, settings, build_providers(settings))
    except (click.ClickException, RendererMissing) as exc:
        log.warning("outbox worker not started: %s", getattr(exc, "message", exc))
        yield
        return
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        database.dispose()
