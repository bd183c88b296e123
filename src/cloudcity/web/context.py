"""What a request can reach: the settings, the clock, a read session, units of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app, g

from cloudcity.clock import Clock, system_clock
from cloudcity.config import Settings
from cloudcity.db import Database, Reading, UnitOfWork

EXTENSION = "cloudcity"
T = TypeVar("T")


@dataclass
class Services:
    """Built once per app by create_app and shared by every request."""

    settings: Settings
    database: Database
    clock: Clock = system_clock
    extras: dict[str, Any] = field(default_factory=dict)


def services() -> Services:
    """The current app's services."""
    found: Services = current_app.extensions[EXTENSION]
    return found


def settings() -> Settings:
    """The current app's settings."""
    return services().settings


def now() -> datetime:
    """The time by the app's clock."""
    return services().clock()


def reading() -> Reading:
    """This request's read session, opened on first use and closed when the request ends.

    It refuses to write: a view that writes opens `unit_of_work()`, a session of its own.
    """
    if "reading" not in g:
        database = services().database
        g.reading = database.reader(database.read_sessions())
    found: Reading = g.reading
    return found


def unit_of_work() -> AbstractContextManager[UnitOfWork]:
    """A unit of work for a write: committed before the response is built."""
    return services().database.unit_of_work()


def run_in_unit_of_work(work: Callable[[UnitOfWork], T], *, repeatable: bool = True) -> T:
    """Run `work` in a unit of work, repeated after a lost connection, a serialization
    failure or a deadlock (see `Database.run`): such a blip is no 5xx for the client."""
    return services().database.run(work, repeatable=repeatable)


def install(app: Flask, found: Services) -> None:
    """Attach the services to the app and close each request's read session on teardown."""
    app.extensions[EXTENSION] = found

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        found = g.pop("reading", None)
        if found is not None:
            found.session.close()
