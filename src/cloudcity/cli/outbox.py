"""`cloudcity worker` sends what the outbox holds; `cloudcity outbox` shows and retries it."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from cloudcity.cli.context import Context, use_settings_logging
from cloudcity.metrics_folder import use_shared_folder

if TYPE_CHECKING:
    from cloudcity.config import Settings
    from cloudcity.db import Database

log = logging.getLogger(__name__)


def _context() -> Context:
    return click.get_current_context().ensure_object(Context)


def _database() -> Database:
    """The command's database, its pool closed when the command ends."""
    database = _context().database
    click.get_current_context().call_on_close(database.dispose)
    return database


@click.command("worker")
@click.option("--once", is_flag=True, help="Process one batch and exit.")
@click.option("--batch-size", type=click.IntRange(1, 500), help="Messages claimed at a time.")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), help="Seconds between polls.")
@click.option("--lease", type=click.FloatRange(min=1), help="Seconds a claim lasts.")
def worker(
    once: bool, batch_size: int | None, poll_interval: float | None, lease: float | None
) -> None:
    """Send the outbox's messages until SIGTERM or Ctrl-C (the message in hand is finished)."""
    settings = _context().settings
    use_settings_logging(settings)
    use_shared_folder(settings.var_dir)  # its send counters reach this machine's /metrics
    from cloudcity.outbox.worker import Worker, build_dispatcher
    from cloudcity.providers import build_providers

    dispatcher = build_dispatcher(settings, build_providers(settings))
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
    from cloudcity.backup import hold_in_use

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with hold_in_use(settings.database_url):  # `db restore` refuses while it is held
        found.run_forever(stop)


@click.group("outbox")
def outbox() -> None:
    """See and retry the messages waiting to be sent."""


@outbox.command("list")
def list_unsent() -> None:
    """List messages not sent yet: waiting, failed and dead, with their last error."""
    with _database().reading() as reading:
        rows = reading.outbox.unsent()
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
    from cloudcity.clock import system_clock
    from cloudcity.outbox.manage import OutboxError, retry_message

    try:
        with _database().unit_of_work() as uow:
            retry_message(uow=uow, message_id=message_id, now=system_clock())
    except OutboxError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"outbox message {message_id} is pending again")


@contextmanager
def dev_worker(settings: Settings) -> Iterator[None]:
    """Run a worker thread beside the dev server when settings.run_worker_in_app is true."""
    if not settings.run_worker_in_app:
        yield
        return
    from cloudcity.db import Database
    from cloudcity.outbox.worker import start_worker_thread
    from cloudcity.providers import build_providers

    database = Database.connect(settings.database_url)
    thread, stop = start_worker_thread(database, settings, build_providers(settings))
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        database.dispose()
