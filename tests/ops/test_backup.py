"""`cloudcity db backup` under write load, and `db restore` (refused while the app runs)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cloudcity.backup import hold_in_use
from cloudcity.cli import main
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import Order, OutboxMessage
from tests.support.outbox import place


class Writer(threading.Thread):
    """Places orders one unit of work at a time until stopped; keeps the committed ids."""

    def __init__(self, database: Database) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.enough = threading.Event()

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            phone = f"whatsapp:+1415555{number % 10000:04d}"
            self.committed.append(place(self.database, number=phone))
            if len(self.committed) >= 5:
                self.enough.set()


def _orders(database: Database) -> set[int]:
    with database.sessions() as session:
        return set(session.scalars(sa.select(Order.id)))


def _receipts(database: Database) -> set[int | None]:
    with database.sessions() as session:
        return set(session.scalars(sa.select(OutboxMessage.order_id)))


def test_a_backup_taken_under_write_load_restores_every_committed_order(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "backups" / "cloudcity.backup"
    writer = Writer(database)
    writer.start()
    assert writer.enough.wait(timeout=120), "the writer placed no orders"
    committed_before = set(writer.committed)
    result = runner.invoke(main, ["db", "backup", str(path)])
    writer.stop.set()
    writer.join(timeout=120)
    assert result.exit_code == 0, result.output
    assert path.is_file()
    placed_later = place(database, number="whatsapp:+14155559999")  # not in the backup
    database.dispose()
    result = runner.invoke(main, ["db", "restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    restored = _orders(database)
    assert committed_before <= restored  # every order committed before the backup began
    assert restored <= set(writer.committed)  # and nothing half-written or invented
    assert placed_later not in restored
    assert restored <= _receipts(database)  # each with the receipt it was committed with


def test_restore_is_refused_while_a_worker_beats(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "cloudcity.backup"
    assert runner.invoke(main, ["db", "backup", str(path)]).exit_code == 0
    with database.unit_of_work() as uow:
        uow.heartbeats.beat("worker-on-another-machine", now=utcnow())
    result = runner.invoke(main, ["db", "restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert "an outbox worker wrote a heartbeat" in result.output


def test_restore_is_refused_while_serve_or_worker_holds_the_database(
    runner: CliRunner, database_url: str, tmp_path: Path, is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("the in-use lock file is SQLite's; PostgreSQL relies on heartbeats")
    path = tmp_path / "cloudcity.backup"
    assert runner.invoke(main, ["db", "backup", str(path)]).exit_code == 0
    with hold_in_use(database_url):
        result = runner.invoke(main, ["db", "restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert "is in use" in result.output
    assert runner.invoke(main, ["db", "restore", str(path), "--yes"]).exit_code == 0


def test_backup_never_overwrites(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "taken.backup"
    path.write_text("something precious")
    result = runner.invoke(main, ["db", "backup", str(path)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert path.read_text() == "something precious"


def test_restore_refuses_a_file_that_is_no_backup(
    runner: CliRunner, tmp_path: Path, is_postgres: bool
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    result = runner.invoke(main, ["db", "restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert ("is not a Cloud City SQLite backup" if not is_postgres else "pg_restore") in (
        result.output
    )


def test_without_pg_dump_the_command_is_explained(
    runner: CliRunner, tmp_path: Path, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres:
        pytest.skip("SQLite needs no outside tool")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(main, ["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump is not installed here" in result.output
    assert "--format=custom" in result.output
