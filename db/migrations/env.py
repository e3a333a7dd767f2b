"""Alembic environment: runs migrations on the engine passed by ``dondoc.db.migrate``."""

from alembic import context
from sqlmodel import SQLModel

import dondoc.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` command line: build one from settings
    from dondoc.db.engine import make_engine
    from dondoc.settings import Settings

    engine = make_engine(Settings().effective_database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
