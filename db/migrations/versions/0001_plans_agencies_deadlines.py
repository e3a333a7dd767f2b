"""plans, agencies, deadlines

Revision ID: 0001
Revises:
Create Date: 2026-11-22 23:40:39.003870
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("short", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_area"), ["area"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("issuer_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("coordinator_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("valid_start", sa.Date(), nullable=False),
        sa.Column("valid_end", sa.Date(), nullable=True),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "address", "role"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("obligation_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period_label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("written_date", sa.Date(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("excused_by_sync", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "obligation_id", "agency_id", "period_key"),
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_last_day"), ["last_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_status"), ["status"], unique=False)

    op.create_table(
        "obligation",
        sa.Column("plan_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("recipient_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("also_to", sa.JSON(), nullable=False),
        sa.Column("via_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_section", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("consolidates", sa.JSON(), nullable=False),
        sa.Column("reporters", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.PrimaryKeyConstraint("plan_id", "id"),
    )
    op.create_table(
        "target",
        sa.Column("plan_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("goal_op", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("goal_value", sa.Float(), nullable=True),
        sa.Column("lead_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.PrimaryKeyConstraint("plan_id", "id"),
    )


def downgrade() -> None:
    op.drop_table("target")
    op.drop_table("obligation")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_status"))
        batch_op.drop_index(batch_op.f("ix_deadline_plan_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_last_day"))
        batch_op.drop_index(batch_op.f("ix_deadline_agency_id"))

    op.drop_table("deadline")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_agency_id"))
        batch_op.drop_index(batch_op.f("ix_contact_address"))

    op.drop_table("contact")
    op.drop_table("plan")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_area"))

    op.drop_table("agency")
