"""chat_messages: who wrote a staff message and its outbox row; conversations by last activity

Revision ID: inbox_messages
Revises: photo_reference
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "inbox_messages"
down_revision: str | None = "photo_reference"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_chat_messages_outbox_id_outbox"),
            "outbox",
            ["outbox_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_updated_at"))
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chat_messages_outbox_id_outbox"), type_="foreignkey"
        )
        batch_op.drop_column("outbox_id")
        batch_op.drop_column("author")
