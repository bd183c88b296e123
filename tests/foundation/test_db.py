"""The data layer: engines per backend, SQLite pragmas, the unit of work."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from cloudcity.db import Database, ReadOnlySession, create_engine, to_url
from cloudcity.db.base import utcnow
from cloudcity.db.models import Customer, MenuOption
from cloudcity.domain import Channel, OptionKind


def test_plain_path_becomes_a_sqlite_url() -> None:
    url = to_url("var/data/cloudcity.db")
    assert url.get_backend_name() == "sqlite"
    assert url.database == "var/data/cloudcity.db"


def test_postgres_urls_use_psycopg_3() -> None:
    assert to_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert to_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_sqlite_file_gets_its_parent_folders_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "cloudcity.db"
    engine = create_engine(str(path))
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert path.exists()
    engine.dispose()


def test_sqlite_file_connections_get_the_pragmas(tmp_path: Path) -> None:
    engine = create_engine(str(tmp_path / "p.db"))
    with engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 5000
        assert pragma("synchronous") == 1  # NORMAL
    engine.dispose()


def test_in_memory_sqlite_shares_one_connection() -> None:
    engine = create_engine("sqlite://")
    assert isinstance(engine.pool, StaticPool)
    engine.dispose()


def _customer(phone: str) -> Customer:
    now = utcnow()
    return Customer(phone=phone, channel=Channel.SMS, created_at=now, updated_at=now)


def test_unit_of_work_commits_when_the_block_ends(database: Database) -> None:
    with database.unit_of_work() as uow:
        session = uow.session
        session.add(_customer("+14155550101"))
    with database.unit_of_work() as uow:
        session = uow.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1


def test_unit_of_work_rolls_back_and_reraises_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work() as uow:
        session = uow.session
        session.add(_customer("+14155550102"))
        session.flush()
        raise RuntimeError("boom")
    with database.unit_of_work() as uow:
        session = uow.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0


def test_objects_stay_readable_after_commit(database: Database) -> None:
    with database.unit_of_work() as uow:
        session = uow.session
        customer = _customer("+14155550103")
        session.add(customer)
    assert customer.phone == "+14155550103"  # expire_on_commit=False: no reload needed


def test_times_come_back_aware_in_utc(database: Database) -> None:
    with database.unit_of_work() as uow:
        session = uow.session
        session.add(_customer("+14155550104"))
    with database.unit_of_work() as uow:
        session = uow.session
        customer = session.scalars(sa.select(Customer)).one()
    assert customer.created_at.utcoffset() is not None
    assert customer.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_ping_is_false_when_the_database_is_unreachable() -> None:
    database = Database.connect("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert database.ping() is False


def test_sqlite_units_of_work_take_the_write_lock_up_front(
    database: Database, is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("SQLite locking only")
    path = str(database.engine.url.database)
    with database.unit_of_work() as uow:
        session = uow.session
        session.execute(sa.select(Customer.id)).all()  # only a read so far
        assert _write_lock_is_free(path) is False
    with database.sessions() as reader:
        reader.execute(sa.select(Customer.id)).all()  # a plain read never blocks writers
        assert _write_lock_is_free(path) is True


def _write_lock_is_free(path: str) -> bool:
    import sqlite3

    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
    return True


def test_a_read_session_refuses_to_flush_a_change(database: Database) -> None:
    with database.reading() as reading, pytest.raises(ReadOnlySession):
        reading.session.add(_customer("+14155550131"))
        reading.session.flush()
    with database.reading() as reading:
        assert reading.session.scalars(sa.select(Customer)).all() == []


def test_a_read_session_refuses_a_statement_that_writes(database: Database) -> None:
    with database.reading() as reading, pytest.raises(ReadOnlySession):
        reading.session.execute(sa.update(Customer).values(name="x"))


def test_a_repository_write_on_a_read_session_is_refused(database: Database) -> None:
    with database.reading() as reading, pytest.raises(ReadOnlySession):
        reading.outbox.enqueue(kind="k", key="k:1", recipient="+14155550132", now=utcnow())


def test_each_unit_of_work_has_a_session_of_its_own(database: Database) -> None:
    with database.reading() as reading, database.unit_of_work() as uow:
        assert uow.session is not reading.session
        uow.session.add(_customer("+14155550133"))
    with database.reading() as reading:
        assert [c.phone for c in reading.session.scalars(sa.select(Customer))] == ["+14155550133"]


def test_the_menu_cache_is_invalidated_by_an_edit_in_this_process(database: Database) -> None:
    with database.unit_of_work() as uow:
        version = uow.conversations.locked(address="+14155550134", now=utcnow()).menu_version
        before = uow.menu.orderable_at(version)
        option = uow.menu.get(before[OptionKind.SIZE][0].id)
        assert option is not None
        option.price_cents += 100
        assert uow.menu.save(option)
    with database.unit_of_work() as uow:
        version = uow.conversations.locked(address="+14155550134", now=utcnow()).menu_version
        after = uow.menu.orderable_at(version)
    assert after[OptionKind.SIZE][0].price_cents == before[OptionKind.SIZE][0].price_cents + 100


def test_the_menu_version_sees_an_edit_made_elsewhere(database: Database) -> None:
    with database.unit_of_work() as uow:
        old = uow.conversations.locked(address="+14155550135", now=utcnow()).menu_version
    with database.engine.begin() as connection:  # another process, as far as the cache knows
        connection.execute(sa.update(MenuOption).values(price_cents=MenuOption.price_cents + 1))
    with database.unit_of_work() as uow:
        new = uow.conversations.locked(address="+14155550135", now=utcnow()).menu_version
    assert old is not None and new is not None and old != new
