"""audit_event: who did what to the season, when and why (the console's and the CLI's actions); ix_deadline_period
for the console's overview

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:50:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_deadline_id", "audit_event", ["deadline_id"])
    op.create_index("ix_audit_event_agency_id", "audit_event", ["agency_id"])
    op.create_index(
        "ix_deadline_period",
        "deadline",
        ["plan_id", "obligation_id", "period_key", "period_start", "period_end", "last_day"],
    )


def downgrade() -> None:
    op.drop_index("ix_deadline_period", table_name="deadline")
    op.drop_index("ix_audit_event_agency_id", table_name="audit_event")
    op.drop_index("ix_audit_event_deadline_id", table_name="audit_event")
    op.drop_index("ix_audit_event_at", table_name="audit_event")
    op.drop_table("audit_event")
