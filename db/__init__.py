"""dondoc's database: SQLModel tables, the engine factory, migrations, repositories.

SQLite (WAL) is the embedded default, PostgreSQL the server choice. The
schema is created by Alembic migrations (:func:`dondoc.db.migrate.upgrade`), never
by ``create_all`` in production code.
"""
