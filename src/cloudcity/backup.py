"""Backups: a consistent copy of a running database, and a restore into a stopped one.

SQLite: the online backup API copies every page in one step under a read transaction, so
the copy is one moment's database even while writers carry on (WAL lets them). PostgreSQL:
`pg_dump`/`pg_restore` in their custom format.

"Running" means: a `cloudcity serve` or `cloudcity worker` holds `<file>-in-use.lock` (SQLite,
this machine; `hold_in_use`), or any worker, anywhere, wrote a heartbeat within the stale
window (`worker_heartbeats`). Restore refuses in either case.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from cloudcity.db.engine import to_url


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


def backup(url_or_path: str, destination: Path) -> str:
    """Copy the database to `destination` (which must not exist); answers what was done."""
    if destination.exists():
        raise BackupError(f"{destination} exists already: choose a new name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    url = to_url(url_or_path)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(url), destination)
        return f"backed up {_sqlite_file(url)} to {destination}"
    _run(_pg_command("pg_dump", url, "--format=custom", f"--file={destination}"), url)
    return f"dumped the database to {destination} (pg_dump, custom format)"


def restore(url_or_path: str, source: Path, *, now: datetime, stale: timedelta) -> str:
    """Replace the database's contents with a backup's, unless something is running on it."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = to_url(url_or_path)
    if url.get_backend_name() != "sqlite":
        _refuse_if_beating(url, now=now, stale=stale)
        _run(_pg_command("pg_restore", url, "--clean", "--if-exists", str(source)), url)
        return f"restored {source} (pg_restore --clean)"
    target = _sqlite_file(url)
    _check_sqlite_backup(source)
    with _exclusive(target):
        _refuse_if_beating(url, now=now, stale=stale)
        with closing(sqlite3.connect(source)) as src, closing(_connect(target)) as dst:
            src.backup(dst)
    return f"restored {target} from {source}"


@contextmanager
def hold_in_use(url_or_path: str) -> Iterator[None]:
    """Hold a shared lock beside a SQLite file while this process serves or sends from it."""
    url = to_url(url_or_path)
    if url.get_backend_name() != "sqlite":
        yield
        return
    with _lock_file(_sqlite_file(url)) as descriptor:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=30)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(_connect(source)) as src, closing(_connect(partial)) as dst:
        src.backup(dst)  # every page in one step: one consistent moment
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check(dst, partial)
    partial.replace(destination)


def _check_sqlite_backup(source: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as connection:
            _check(connection, source)
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a Cloud City SQLite backup ({exc})") from None


def _check(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's quick_check: {verdict}")


@contextmanager
def _lock_file(database: Path) -> Iterator[int]:
    path = Path(f"{database}-in-use.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield descriptor
    finally:
        os.close(descriptor)  # closing drops the lock


@contextmanager
def _exclusive(database: Path) -> Iterator[None]:
    with _lock_file(database) as descriptor:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"{database} is in use: a `cloudcity serve` or `cloudcity worker` holds "
                f"{database}-in-use.lock. Stop them, then restore."
            ) from None
        yield


def _refuse_if_beating(url: URL, *, now: datetime, stale: timedelta) -> None:
    """Refuse when a worker, on any machine, wrote a heartbeat within `stale`."""
    from cloudcity.db import Database

    database = Database.connect(url.render_as_string(hide_password=False))
    try:
        with database.reading() as reading:
            latest = reading.heartbeats.latest()
    except sa.exc.SQLAlchemyError:
        return  # no heartbeat table (an empty or older database): nothing says it runs
    finally:
        database.dispose()
    if latest is not None and now - latest < stale:
        seconds = (now - latest).total_seconds()
        raise BackupError(
            f"an outbox worker wrote a heartbeat {seconds:.0f} s ago: the app is running on "
            "this database. Stop every `cloudcity worker` and the app, then restore."
        )


def _pg_command(tool: str, url: URL, *arguments: str) -> list[str]:
    """pg_dump/pg_restore for the URL's database (and schema, when the URL sets search_path)."""
    libpq = url.set(drivername="postgresql", password=None, query={})
    target = libpq.render_as_string(hide_password=False)
    schema = _search_path(url)
    found = shutil.which(tool)
    if found is None:
        extra = f" --schema={schema}" if schema else ""
        raise BackupError(
            f"{tool} is not installed here (apt-get install postgresql-client). Run it where "
            f"it is: {tool}{extra} {' '.join(arguments)} --dbname={target}"
        )
    return [found, *arguments, *([f"--schema={schema}"] if schema else []), f"--dbname={target}"]


def _search_path(url: URL) -> str | None:
    options = str(url.query.get("options", ""))
    for part in options.split():
        if part.startswith("-csearch_path="):
            return part.removeprefix("-csearch_path=")
    return None


def _run(command: list[str], url: URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    # No shell; the program is the one shutil.which found, the arguments our own.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")
