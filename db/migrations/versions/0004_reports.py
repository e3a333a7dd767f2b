"""reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:35:04.398543
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("obligation_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("compiled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "obligation_id", "period_key", "revision"),
    )


def downgrade() -> None:
    op.drop_table("report")
