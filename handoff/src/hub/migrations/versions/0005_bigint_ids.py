"""Every id 64-bit on PostgreSQL: INTEGER (and its SERIAL sequence) stops at 2**31 - 1.

A busy hub writes messages for years; and an id a client sends (``after``,
``last_seen_id``) above 2**31 - 1 made the query itself fail. SQLite's INTEGER is
64-bit already: nothing to do there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Primary keys numbered by a sequence, then the columns that refer to an id.
SERIAL = ("advisors", "messages", "queue_entries", "bot_signals")
COLUMNS = (
    ("advisors", "id"),
    ("messages", "id"),
    ("queue_entries", "id"),
    ("bot_signals", "id"),
    ("advisor_sessions", "advisor_id"),
    ("messages", "advisor_id"),
    ("queue_entries", "advisor_id"),
    ("bot_signals", "message_id"),
    ("ratings", "advisor_id"),
    ("ratings", "queue_entry_id"),
)


def _retype(column_type: sa.types.TypeEngine[int], sequence_type: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=column_type)
    for table in SERIAL:
        # A SERIAL's sequence has its own type and maximum (PostgreSQL moves a
        # maximum that was the old type's own to the new type's).
        op.execute(sa.text(f"ALTER SEQUENCE {table}_id_seq AS {sequence_type}"))


def upgrade() -> None:
    _retype(sa.BigInteger(), "bigint")


def downgrade() -> None:
    _retype(sa.Integer(), "integer")
