"""Alembic, driven from code: ``upgrade(engine)`` brings a database to the newest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event

__all__ = ["alembic_config", "current_revision", "head_revision", "is_known_revision", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at ``db/migrations`` (and at ``engine``, if given)."""
    config = Config()
    config.set_main_option("script_location", str(_HERE / "migrations"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, in one transaction: a crash half-way leaves the schema as it was."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        command.upgrade(alembic_config(engine), revision)
        return
    transactional = _transactional_ddl(engine)
    try:
        command.upgrade(alembic_config(transactional), revision)
    finally:
        transactional.dispose()


def _transactional_ddl(engine: Engine) -> Engine:
    """A second engine on the same SQLite file whose transactions hold CREATE/ALTER/DROP too.

    Python's sqlite3 commits DDL on its own, outside any transaction: a
    process killed during the first migration left some tables and no
    version, and every later start failed on "table … already exists". The
    recipe of SQLAlchemy's pysqlite notes: the driver does not begin
    transactions, we do (IMMEDIATE: two processes starting at once migrate
    one after the other). Only for migrations, whose writes are all DDL.
    """
    from dondoc.db.engine import make_engine

    transactional = make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(transactional, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(transactional, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return transactional


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one this dondoc ships (a newer dondoc's is not)."""
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
