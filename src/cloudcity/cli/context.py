"""What every `cloudcity` command shares: settings and a database, made only when needed.

Only click is imported at the top of the CLI's modules: `cloudcity --help` must answer in
well under a second, and SQLAlchemy, pydantic and babel take longer than that to import on a
busy machine. Each command imports what it needs when it runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from cloudcity.config import Settings
    from cloudcity.db import Database

log = logging.getLogger(__name__)


class Context:
    """Settings and database, made once per command and only when the command needs them."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._database: Database | None = None

    @property
    def settings(self) -> Settings:
        """The validated settings; a bad value ends the command with a message naming it."""
        if self._settings is None:
            self._settings = load_settings_or_exit()
        return self._settings

    @property
    def database(self) -> Database:
        """The database the settings point at."""
        if self._database is None:
            from cloudcity.db import Database

            self._database = Database.connect(self.settings.database_url)
            # Close pooled connections when the command ends, not at interpreter exit.
            click.get_current_context().find_root().call_on_close(self._database.dispose)
        return self._database


pass_context = click.make_pass_decorator(Context, ensure=True)


def use_settings_logging(settings: Settings) -> None:
    """Log as the settings say (JSON in production), keeping the level -v chose."""
    from cloudcity.logs import configure_logging

    verbose = logging.getLogger().level == logging.DEBUG
    configure_logging(json=settings.log_json, verbose=verbose)


def load_settings_or_exit() -> Settings:
    """The settings, or the command ends with a message naming the bad variable."""
    from cloudcity.config import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def prepare(database: Database, settings: Settings | None = None) -> None:
    """Bring a database to the current schema; give it a menu and a calendar if it has none."""
    from cloudcity import menu
    from cloudcity.clock import system_clock
    from cloudcity.config import DEFAULT_TIME_ZONE
    from cloudcity.db.migrate import upgrade
    from cloudcity.pickup import seed_calendar

    upgrade(database.engine)
    time_zone = settings.time_zone if settings is not None else DEFAULT_TIME_ZONE
    with database.unit_of_work() as uow:
        if menu.seed_default_menu(uow=uow):
            log.info("seeded the default Cloud City menu")
        if seed_calendar(uow=uow, time_zone=time_zone, now=system_clock()):
            log.info("seeded the default calendar (%s)", time_zone)
