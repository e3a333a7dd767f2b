"""Alembic, driven from code: ``upgrade(engine)`` brings a database to the newest schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

__all__ = ["alembic_config", "current_revision", "head_revision", "is_known_revision", "shipped_head", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at ``db/migrations`` (and at ``engine``, if given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_HERE / "migrations"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$""", re.MULTILINE)


def shipped_head() -> str | None:
    """The newest shipped revision, read from the migration files' ``revision``/``down_revision`` lines (without
    importing Alembic, ~0.3 s); ``None`` when that reading is not simple (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in (_HERE / "migrations" / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text("utf-8")))
        revision = found.get("revision", "").strip().strip("'\"")
        if not revision or not re.fullmatch(r"[\w-]+", revision):
            return None
        revisions.add(revision)
        parents.update(re.findall(r"[\w-]+", found.get("down_revision", "None").replace("None", "")))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """Whether the database is already at the shipped head (one query; any doubt says no)."""
    from sqlalchemy import text

    head = shipped_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    except Exception:  # noqa: BLE001 — no table yet, or anything else: Alembic will see
        return False
    return versions == [head]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, in one transaction: a crash half-way leaves the schema as it was.

    A database already at the newest revision is recognised with one query,
    without importing Alembic (a command's start-up)."""
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

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
    from sqlalchemy import event

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
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # (alembic's answer when the versions folder is empty: a broken installation)
        raise AssertionError("no migration shipped in db/migrations/versions")
    return head


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one this dondoc ships (a newer dondoc's is not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
