"""chase_horizon: until when a chase has nothing to do, and the triggers that void it when work may be added

A full chase stores the earliest moment a reminder may next fall due
(docs/chasing.md, "Nothing to do"). Any change to a table that can add work
(deadlines, extensions and statuses, the stages already queued, pauses,
agencies, contacts, submissions, plans, obligations) deletes it, by a trigger,
whoever makes the change: the next chase then takes its full path.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# table -> the changes that may add work ("" for every column of an update)
WATCHED = {
    "deadline": ("INSERT", "UPDATE", "DELETE"),
    # a stage counts as queued whatever its row's status: only a row deleted, or moved to another stage, adds work
    "outbox": ("UPDATE OF deadline_id, stage, kind", "DELETE"),
    "pause": ("INSERT", "UPDATE", "DELETE"),
    "agency": ("INSERT", "UPDATE", "DELETE"),
    "contact": ("INSERT", "UPDATE", "DELETE"),
    "submission": ("INSERT", "UPDATE", "DELETE"),
    "plan": ("INSERT", "UPDATE", "DELETE"),
    "obligation": ("INSERT", "UPDATE", "DELETE"),
}


def _name(table: str, change: str) -> str:
    return f"chase_horizon_void_{table}_{change.split()[0].lower()}"


def upgrade() -> None:
    op.create_table(
        "chase_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION chase_horizon_void() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN DELETE FROM chase_horizon; RETURN NULL; END $$"
        )
        for table, changes in WATCHED.items():
            events = " OR ".join([*changes, "TRUNCATE"])
            op.execute(
                f"CREATE TRIGGER chase_horizon_void AFTER {events} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION chase_horizon_void()"
            )
    else:  # SQLite: row triggers only
        for table, changes in WATCHED.items():
            for change in changes:
                op.execute(
                    f"CREATE TRIGGER {_name(table, change)} AFTER {change} ON {table} "
                    "BEGIN DELETE FROM chase_horizon; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER chase_horizon_void ON {table}")
        op.execute("DROP FUNCTION chase_horizon_void()")
    else:
        for table, changes in WATCHED.items():
            for change in changes:
                op.execute(f"DROP TRIGGER {_name(table, change)}")
    op.drop_table("chase_horizon")
