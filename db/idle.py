"""Whether the outbox is idle, asked with the standard library's ``sqlite3``: no engine, no ORM.

A chase at a moment when no reminder may go out (a day off, outside office
hours) still sends what the outbox holds. When the outbox holds nothing to
send or to put back either, the chase has nothing to do, and it can say so
without SQLAlchemy, whose import alone takes longer than the whole answer.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from dondoc.db.migrate import shipped_head
from dondoc.db.statuses import OutboxStatus

__all__ = ["outbox_idle"]


def outbox_idle(database_url: str, timeout: float = 1.0) -> bool:
    """True when ``database_url`` is a SQLite file at the shipped schema whose outbox has no row ``pending`` (to
    send, now or later) or ``sending`` (in flight, or left by a dead run: to put back and send again).

    False whenever unsure, so that the caller takes its full path: another
    database, no file yet, a schema to migrate, a locked or unreadable file.
    """
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
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)) as connection:
            versions = [version for (version,) in connection.execute("SELECT version_num FROM alembic_version")]
            busy = connection.execute(
                "SELECT 1 FROM outbox WHERE status IN (?, ?) LIMIT 1",
                (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value),
            ).fetchone()
    except sqlite3.Error:
        return False
    return versions == [head] and busy is None
