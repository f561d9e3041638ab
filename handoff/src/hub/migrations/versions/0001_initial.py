"""Initial tables: conversations, messages, queue entries, advisors, sessions, ratings.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "advisors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("available", "away", name="advisorstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisors")),
        sa.UniqueConstraint("username", name=op.f("uq_advisors_username")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "owner",
            sa.Enum(
                "bot", "queue", "advisor", "closed", name="owner", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("page", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_created_at", ["created_at"], unique=False)

    op.create_table(
        "advisor_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["advisors.id"],
            name=op.f("fk_advisor_sessions_advisor_id_advisors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_advisor_sessions")),
    )
    with op.batch_alter_table("advisor_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advisor_sessions_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column(
            "sender",
            sa.Enum(
                "visitor", "bot", "advisor", "system", name="sender", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.String(length=1000), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("advisor_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["advisors.id"],
            name=op.f("fk_messages_advisor_id_advisors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_id_id", ["conversation_id", "id"], unique=False
        )

    op.create_table(
        "queue_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("faq_id", sa.String(length=100), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "waiting", "assigned", "closed", name="entrystate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["advisors.id"],
            name=op.f("fk_queue_entries_advisor_id_advisors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_queue_entries_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_entries")),
    )
    with op.batch_alter_table("queue_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_entries_advisor_state", ["advisor_id", "state"], unique=False
        )
        batch_op.create_index("ix_queue_entries_state_topic", ["state", "topic"], unique=False)
        batch_op.create_index(
            "uq_queue_entries_open_conversation",
            ["conversation_id"],
            unique=True,
            sqlite_where=sa.text("state != 'closed'"),
            postgresql_where=sa.text("state != 'closed'"),
        )

    op.create_table(
        "ratings",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column(
            "value",
            sa.Enum("ja", "nei", "delvis", name="ratingvalue", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("queue_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["advisors.id"],
            name=op.f("fk_ratings_advisor_id_advisors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_ratings_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_entry_id"],
            ["queue_entries.id"],
            name=op.f("fk_ratings_queue_entry_id_queue_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_ratings")),
    )


def downgrade() -> None:

    op.drop_table("ratings")
    with op.batch_alter_table("queue_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_queue_entries_open_conversation",
            sqlite_where=sa.text("state != 'closed'"),
            postgresql_where=sa.text("state != 'closed'"),
        )
        batch_op.drop_index("ix_queue_entries_state_topic")
        batch_op.drop_index("ix_queue_entries_advisor_state")

    op.drop_table("queue_entries")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_conversation_id_id")

    op.drop_table("messages")
    with op.batch_alter_table("advisor_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisor_sessions_expires_at"))

    op.drop_table("advisor_sessions")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_created_at")

    op.drop_table("conversations")
    op.drop_table("advisors")
