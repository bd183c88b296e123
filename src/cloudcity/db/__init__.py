"""The data layer: engine, unit of work, repositories and models."""

from cloudcity.db.engine import create_engine, to_url
from cloudcity.db.models import Base
from cloudcity.db.session import Database
from cloudcity.db.unit_of_work import Reading, ReadOnlySession, UnitOfWork

__all__ = [
    "Base",
    "Database",
    "ReadOnlySession",
    "Reading",
    "UnitOfWork",
    "create_engine",
    "to_url",
]
