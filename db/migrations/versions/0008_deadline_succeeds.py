"""deadline.succeeds: the dissolved agencies whose function the deadline's agency took over (2025 reorganisation)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("succeeds", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("succeeds")
