"""The composition root: builds the real objects from ``Settings``.

Flows, the CLI and tests all come through here, so there is one place that
decides which database, which configuration and which clock are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import make_engine
from db.migrate import upgrade
from dondoc.config import load_catalog, load_policy
from dondoc.model import Catalog
from dondoc.policy import PolicyFile
from dondoc.settings import Settings

__all__ = ["App", "build"]


class App:
    """What a command or a flow needs: settings, the loaded config, the database."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None

    def catalog(self) -> Catalog:
        """The configuration, loaded and checked (``ConfigError`` if invalid)."""
        return load_catalog(self.settings.config_dir)

    def policy(self) -> PolicyFile:
        """``policy.yaml``, loaded and checked."""
        return load_policy(self.settings.config_dir)

    @property
    def engine(self) -> Engine:
        """The database engine, with the schema migrated to the newest revision."""
        if self._engine is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._engine = make_engine(self.settings.effective_database_url)
            upgrade(self._engine)
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session, closed on exit."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def now(self) -> dt.datetime:
        """The real clock, aware, in UTC (flows and commands accept an explicit ``now``)."""
        return dt.datetime.now(dt.UTC)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def build(settings: Settings | None = None) -> App:
    """An :class:`App` for ``settings`` (read from the environment if not given)."""
    return App(settings or Settings())
