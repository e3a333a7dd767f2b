"""outbox.to_address: the address an automatic mail goes to, indexed for the per-address daily cap

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 04:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch.create_index("ix_outbox_to_address_created_at", ["to_address", "created_at"], unique=False)
    # automatic mails queued before this revision: their key ends with ":<address>"
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("to_address", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.key).where(outbox.c.kind.in_(["receipt", "notice"]))
    ).all()
    for row_id, key in rows:
        connection.execute(outbox.update().where(outbox.c.id == row_id).values(to_address=key.rpartition(":")[2][:254]))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_to_address_created_at")
        batch.drop_column("to_address")
