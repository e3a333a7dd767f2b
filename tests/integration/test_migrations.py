"""Migrations: upgrade from empty on SQLite and PostgreSQL; the result matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import dondoc.db.tables  # noqa: F401
from dondoc.db.engine import make_engine
from dondoc.db.migrate import current_revision, head_revision, upgrade

TABLES = {
    "agency",
    "contact",
    "plan",
    "obligation",
    "target",
    "deadline",
    "outbox",
    "pause",
    "inbound",
    "submission",
    "attachment",
    "request",
    "report",
    "source_message",
    "alembic_version",
}


def check_upgrade_from_empty(url: str) -> None:
    engine = make_engine(url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    upgrade(engine)  # a second upgrade is a no-op
    engine.dispose()


def test_upgrade_from_empty_on_sqlite(sqlite_url):
    check_upgrade_from_empty(sqlite_url)


def test_sqlite_is_in_wal_mode(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_upgrade_from_empty_on_postgres(pg_url):
    check_upgrade_from_empty(pg_url)


def test_a_new_sqlite_database_is_private_whatever_the_umask(tmp_path):
    import os
    import stat

    from sqlalchemy import text

    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'dondoc.sqlite3'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
        engine.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert modes == {"dondoc.sqlite3": 0o600, "dondoc.sqlite3-wal": 0o600, "dondoc.sqlite3-shm": 0o600}


def test_a_second_engine_on_an_open_database_keeps_its_wal_from_other_processes(tmp_path):
    """A process that builds another engine on a file it already has open (a console, a served run) must keep its
    SQLite locks: another process closing its own connection must not take the file for unused and delete the
    WAL under the live one."""
    import subprocess
    import sys

    from sqlalchemy import text

    path = tmp_path / "dondoc.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as held:
        assert held.execute(text("SELECT count(*) FROM t")).scalar() == 1
        make_engine(f"sqlite:///{path}").dispose()
        writer = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('INSERT INTO t VALUES (2)'); c.commit(); c.close()"
        )
        subprocess.run([sys.executable, "-c", writer, str(path)], check=True)
        assert (tmp_path / "dondoc.sqlite3-wal").exists(), "another process deleted the WAL of a live connection"
        held.rollback()
        assert held.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_status_columns_are_enums_stored_as_the_same_strings(engine):
    """Every status column reads back as its enum and is stored as the plain string it always was (VARCHAR, no
    migration); a status outside its enum is refused when written."""
    import datetime as dt

    from sqlalchemy.exc import StatementError
    from sqlmodel import Session

    from dondoc.db.tables import PlanRow, ReportRow, ReportStatus, StatusColumn

    columns = [c for table in SQLModel.metadata.tables.values() for c in table.columns if c.name == "status"]
    assert len(columns) == 6 and all(isinstance(c.type, StatusColumn) for c in columns)
    upgrade(engine)
    with Session(engine) as session:
        session.add(
            PlanRow(
                id="p",
                title="P",
                area="a",
                issuer_id="a.x",
                coordinator_id="a.y",
                valid_start=dt.date(2026, 1, 1),
                source_file="p.txt",
            )
        )
        row = ReportRow(
            plan_id="p", obligation_id="o", period_key="2026", compiled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
        session.add(row)
        session.commit()
        stored = session.connection().exec_driver_sql("SELECT status FROM report").scalar()
        assert stored == "draft" and type(stored) is str
        assert session.get(ReportRow, row.id).status is ReportStatus.DRAFT
        row.status = "sent-twice"
        with pytest.raises(StatementError, match="sent-twice"):
            session.commit()
