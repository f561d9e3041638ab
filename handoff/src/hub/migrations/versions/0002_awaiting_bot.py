"""Messages waiting for the bot's reply (to find replies lost in a crash).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_bot", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_messages_awaiting_bot",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("awaiting_bot"),
            postgresql_where=sa.text("awaiting_bot"),
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_messages_awaiting_bot",
            sqlite_where=sa.text("awaiting_bot"),
            postgresql_where=sa.text("awaiting_bot"),
        )
        batch_op.drop_column("awaiting_bot")
