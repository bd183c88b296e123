"""The data layer: engine, unit of work and models."""

from cloudcity.db.engine import create_engine, to_url
from cloudcity.db.models import Base
from cloudcity.db.session import Database, committing

__all__ = ["Base", "Database", "committing", "create_engine", "to_url"]
