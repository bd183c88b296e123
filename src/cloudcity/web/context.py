"""What a request can reach: the settings, one database session per request, the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db import Database

EXTENSION = "cloudcity"


@dataclass
class Services:
    """Built once per app by create_app and shared by every request."""

    settings: Settings
    database: Database
    extras: dict[str, Any] = field(default_factory=dict)


def services() -> Services:
    """The current app's services."""
    found: Services = current_app.extensions[EXTENSION]
    return found


def settings() -> Settings:
    """The current app's settings."""
    return services().settings


def db_session() -> orm.Session:
    """This request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = services().database.sessions()
    session: orm.Session = g.db_session
    return session


def install(app: Flask, found: Services) -> None:
    """Attach the services to the app and close each request's session on teardown."""
    app.extensions[EXTENSION] = found

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
