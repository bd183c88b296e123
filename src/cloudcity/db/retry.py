"""Which database failures are worth repeating a whole unit of work for.

A lost connection (a backend terminated, a failover, a network blip), a serialization
failure and a deadlock say nothing about the work: the same work, in a new transaction on a
new connection, can succeed. Anything else (a constraint, a bug) would fail the same way.
"""

from __future__ import annotations

import sqlalchemy as sa

# 40001 serialization_failure, 40P01 deadlock_detected: rolled back, certainly not committed.
ROLLED_BACK = frozenset({"40001", "40P01"})
# 08* connection exceptions, 57P01-03 the server shutting down or terminating the backend.
DISCONNECTED_PREFIXES = ("08", "57P01", "57P02", "57P03")


def is_transient(exc: BaseException) -> bool:
    """True when repeating the transaction may succeed: lost connection, conflict, lock."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    return is_disconnect(exc) or _sqlstate(exc) in ROLLED_BACK or _sqlite_locked(exc)


def is_disconnect(exc: sa.exc.DBAPIError) -> bool:
    """True when the connection was lost: a COMMIT sent on it may or may not have happened."""
    state = _sqlstate(exc)
    return exc.connection_invalidated or (
        state is not None and state.startswith(DISCONNECTED_PREFIXES)
    )


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _sqlite_locked(exc: sa.exc.DBAPIError) -> bool:
    # SQLite gave up waiting for the writer lock (busy_timeout): nothing was written.
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc.orig)
