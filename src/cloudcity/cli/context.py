"""What every `cloudcity` command shares: settings and a database, made only when needed."""

from __future__ import annotations

import logging

import click

from cloudcity import menu
from cloudcity.config import Settings, SettingsError, load_settings
from cloudcity.db import Database
from cloudcity.db.migrate import upgrade


class Context:
    """Settings and database, made once per command and only when the command needs them."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._database: Database | None = None

    @property
    def settings(self) -> Settings:
        """The validated settings; a bad value ends the command with a message naming it."""
        if self._settings is None:
            try:
                self._settings = load_settings()
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    @property
    def database(self) -> Database:
        """The database the settings point at."""
        if self._database is None:
            self._database = Database.connect(self.settings.database_url)
            # Close pooled connections when the command ends, not at interpreter exit.
            click.get_current_context().find_root().call_on_close(self._database.dispose)
        return self._database


pass_context = click.make_pass_decorator(Context, ensure=True)


def prepare(database: Database) -> None:
    """Bring a database to the current schema and give it a menu if it has none."""
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        if menu.seed_default_menu(uow=uow):
            logging.getLogger(__name__).info("seeded the default Cloud City menu")
