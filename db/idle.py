"""Whether a chase has nothing to do, asked with the standard library's ``sqlite3``: no engine, no ORM.

A chase at a moment when no reminder may go out (a day off, outside office
hours) still sends what the outbox holds. When the outbox holds nothing to
send or to put back either, the chase has nothing to do, and it can say so
without SQLAlchemy, whose import alone takes longer than the whole answer.
The same holds on a working day before the chase horizon that the last full
chase stored (``chase_horizon``, docs/chasing.md "Nothing to do").
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from dondoc.db.migrate import shipped_head
from dondoc.db.statuses import OutboxStatus

__all__ = ["before_horizon", "outbox_idle"]


def outbox_idle(database_url: str, timeout: float = 1.0) -> bool:
    """True when ``database_url`` is a SQLite file at the shipped schema whose outbox has no row ``pending`` (to
    send, now or later) or ``sending`` (in flight, or left by a dead run: to put back and send again).

    False whenever unsure, so that the caller takes its full path: another
    database, no file yet, a schema to migrate, a locked or unreadable file.
    """
    return _read(database_url, timeout, None, None)


def before_horizon(database_url: str, key: str, now: dt.datetime, timeout: float = 1.0) -> bool:
    """True when, besides :func:`outbox_idle`, the chase horizon stored under ``key`` covers ``now`` (aware): a
    full chase with the same key, at or before ``now``, found that no reminder falls due before a later moment,
    and nothing that could add work changed since (the triggers of migration 0011 delete the row).

    All of it read in one transaction; false whenever unsure.
    """
    return _read(database_url, timeout, key, now.astimezone(dt.UTC))


def _read(database_url: str, timeout: float, key: str | None, now: dt.datetime | None) -> bool:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return False
    path = Path(database_url.removeprefix(prefix))
    if not path.name or path.name == ":memory:" or not path.is_file():
        return False
    head = shipped_head()
    if head is None:
        return False
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout, isolation_level=None)
        ) as connection:
            connection.execute("BEGIN")  # one snapshot for every read below
            versions = [version for (version,) in connection.execute("SELECT version_num FROM alembic_version")]
            busy = connection.execute(
                "SELECT 1 FROM outbox WHERE status IN (?, ?) LIMIT 1",
                (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value),
            ).fetchone()
            covered = key is None or _covered(connection, key, now)
            connection.execute("ROLLBACK")
    except (sqlite3.Error, ValueError):
        return False
    return versions == [head] and busy is None and covered


def _covered(connection: sqlite3.Connection, key: str, now: dt.datetime | None) -> bool:
    """Whether a completed horizon row under ``key`` has ``since <= now < until`` (stored as naive UTC text)."""
    rows = connection.execute('SELECT "key", since, until FROM chase_horizon WHERE until IS NOT NULL').fetchall()
    if len(rows) != 1 or now is None:
        return False
    stored, since, until = rows[0]
    if stored != key:
        return False
    since_at, until_at = (dt.datetime.fromisoformat(v).replace(tzinfo=dt.UTC) for v in (since, until))
    return since_at <= now < until_at
