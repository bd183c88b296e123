"""The unit of work: one transaction, the repositories that work in it, and read sessions.

`Database.unit_of_work()` opens a session of its own and begins it as a write before anything
is read (SQLite: this process's turn on the writer lock, then BEGIN IMMEDIATE), so a write
never upgrades a stale read snapshot. `Database.reading()` opens a separate read session that
refuses to write. Neither can be turned into the other: that is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, orm

from cloudcity.db.menu_cache import MenuCache
from cloudcity.db.repositories.admins import AdminRepository
from cloudcity.db.repositories.calendar import CalendarRepository
from cloudcity.db.repositories.conversations import ConversationRepository
from cloudcity.db.repositories.customers import CustomerRepository
from cloudcity.db.repositories.deliveries import DeliveryRepository
from cloudcity.db.repositories.heartbeats import HeartbeatRepository
from cloudcity.db.repositories.menu import MenuRepository
from cloudcity.db.repositories.orders import OrderRepository
from cloudcity.db.repositories.outbox import OutboxRepository
from cloudcity.db.repositories.personal import PersonalDataRepository
from cloudcity.db.repositories.photos import PhotoRepository
from cloudcity.db.repositories.retention import RetentionRepository
from cloudcity.db.rules_cache import RulesCache

READ_ONLY = "cloudcity_read_only"


class ReadOnlySession(RuntimeError):
    """A write was attempted on a read session: open a unit of work for it instead."""


class Repositories:
    """One repository per aggregate, all on one session.

    Convention: a repository returns the mapped class for rows a use case changes (the
    session tracks and flushes them) and frozen dataclasses for what is only read; never
    untyped rows.
    """

    def __init__(
        self, session: orm.Session, menu_cache: MenuCache, rules_cache: RulesCache | None = None
    ) -> None:
        self.session = session
        self.admins = AdminRepository(session)
        self.calendar = CalendarRepository(session, rules_cache or RulesCache())
        self.customers = CustomerRepository(session)
        self.conversations = ConversationRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.heartbeats = HeartbeatRepository(session)
        self.menu = MenuRepository(session, menu_cache)
        self.orders = OrderRepository(session)
        self.outbox = OutboxRepository(session)
        self.personal = PersonalDataRepository(session)
        self.retention = RetentionRepository(session)
        self.photos = PhotoRepository(session)


class UnitOfWork(Repositories):
    """A write transaction: committed by `Database.unit_of_work` when its block ends."""

    def __init__(
        self, session: orm.Session, menu_cache: MenuCache, rules_cache: RulesCache | None = None
    ) -> None:
        super().__init__(session, menu_cache, rules_cache)
        self.committed: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once this transaction has committed (never after a rollback)."""
        self.committed.append(callback)

    def flush(self) -> None:
        """Send pending changes now (to read generated ids); the commit still comes at the end."""
        self.session.flush()


class Reading(Repositories):
    """A read session: its repositories answer queries, and any write raises ReadOnlySession."""


def read_only_sessions(factory: orm.sessionmaker[orm.Session]) -> None:
    """Make every session from `factory` refuse INSERT, UPDATE, DELETE and flushes of changes."""
    event.listen(factory, "do_orm_execute", _refuse_dml)
    event.listen(factory, "before_flush", _refuse_flush)


def _refuse_dml(state: orm.ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySession("this session only reads: write in `database.unit_of_work()`")


def _refuse_flush(session: orm.Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession("this session only reads: write in `database.unit_of_work()`")
