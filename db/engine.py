"""The engine factory: one place that turns a database URL into an engine.

SQLite gets WAL, a busy timeout and foreign keys on every connection;
PostgreSQL URLs are used as given (``postgresql+psycopg://…``). The two
statements whose SQL differs between them are built here too
(:func:`insert_or_skip`, :func:`locked`), so that the query functions of db/
hold the only SQLite/PostgreSQL branches and the services none.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

__all__ = ["insert_or_skip", "locked", "make_engine"]

_Query = TypeVar("_Query", Select[Any], SelectOfScalar[Any])


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
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file only when it is not there: closing a descriptor of a file this process has open in
        # SQLite drops every POSIX lock the process holds on it, after which another process may take the file
        # for unused, check-point it and delete its WAL under a live connection.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_or_skip(session: Session, table: type | Table, unique: list[str]) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table … ON CONFLICT (unique) DO NOTHING`` for the session's database: a row whose ``unique``
    columns are already there is left as it is."""
    insert = postgresql.insert if _postgresql(session) else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=unique)


def locked(session: Session, query: _Query, *, skip_locked: bool = False) -> _Query:
    """``query … FOR UPDATE`` (``SKIP LOCKED`` if asked) on PostgreSQL: the rows it reads stay this transaction's
    until it ends. On SQLite, which has no row locks (one writer at a time, for the whole database), the query as
    it is."""
    return query.with_for_update(skip_locked=skip_locked) if _postgresql(session) else query
