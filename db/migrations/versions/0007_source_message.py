"""source_message: what dondoc has taken from its mail source, by its own records (not by a seen flag)

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07 17:00:00

Maildir messages taken before this revision are remembered from
``inbound.source_ref``, so the first run after the upgrade does not read
them again. IMAP refs cannot be tied to a mailbox here (its name is in the
settings): the first run reads that mailbox once more, and its content hashes
keep anything from being taken twice.
"""

import datetime as dt

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "scope", "ref"),
    )
    with op.batch_alter_table("source_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_message_sha256"), ["sha256"], unique=False)
    inbound = sa.table("inbound", sa.column("sha256", sa.String), sa.column("source_ref", sa.String))
    taken = sa.table(
        "source_message",
        sa.column("source", sa.String),
        sa.column("scope", sa.String),
        sa.column("ref", sa.String),
        sa.column("sha256", sa.String),
        sa.column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(inbound.c.source_ref, inbound.c.sha256).where(inbound.c.source_ref.like("maildir:%"))
    ).all()
    now = dt.datetime.now(dt.UTC)
    if rows:
        connection.execute(
            taken.insert(),
            [dict(source="maildir", scope="", ref=ref, sha256=sha, taken_at=now) for ref, sha in dict(rows).items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("source_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_message_sha256"))
    op.drop_table("source_message")
