"""Console logins get a role: advisors chat, editors only read the unanswered list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing account keeps what it could do: it is an advisor.
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "role",
                sa.Enum("advisor", "editor", name="role", native_enum=False, length=16),
                server_default="advisor",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.drop_column("role")
