"""Advisors' presence: when a console of theirs was last seen (hub.presence).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("console_seen_at", sa.DateTime(timezone=True), nullable=True))
    # Consoles open during the upgrade count as just seen: they send a heartbeat within
    # seconds, before the sweep would take an advisor's chats back to the queue.
    op.execute(sa.text("UPDATE advisors SET console_seen_at = CURRENT_TIMESTAMP"))


def downgrade() -> None:
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.drop_column("console_seen_at")
