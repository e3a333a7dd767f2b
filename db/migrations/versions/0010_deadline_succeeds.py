"""deadline.succeeds: the dissolved agencies whose function the deadline's agency took over (2025 reorganisation)

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-07 17:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deadline') as batch:
        batch.add_column(sa.Column('succeeds', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deadline') as batch:
        batch.drop_column('succeeds')
