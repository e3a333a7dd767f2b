"""The engine factory: one place that turns a database URL into an engine.

SQLite gets WAL, a busy timeout and foreign keys on every connection;
PostgreSQL URLs are used as given (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["make_engine"]


def make_engine(url: str, *, echo: bool = False, busy_timeout: float = 30.0) -> Engine:
    """An engine for ``url``; creates the SQLite file (mode 0600) and its folder (mode 0700) if needed.

    SQLite gives its -wal and -shm files the database file's mode, so they are
    private too, whatever the process's umask. ``busy_timeout``: seconds a
    SQLite write waits for another writer before it fails with "database is
    locked".
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(parsed.database, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine
