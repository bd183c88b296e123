"""conversations.handoff_at, handoff_reason, staff_reply_at: a conversation handed to staff

Revision ID: handoff
Revises: outbox_doubt
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloudcity.db.base

revision: str = "handoff"
down_revision: str | None = "outbox_doubt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UTC_TIME = cloudcity.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_at", UTC_TIME, nullable=True))
        batch_op.add_column(sa.Column("handoff_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("staff_reply_at", UTC_TIME, nullable=True))
        # The inbox lists the conversations waiting for a person, oldest first.
        batch_op.create_index("ix_conversations_handoff_at", ["handoff_at"])


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_handoff_at")
        batch_op.drop_column("staff_reply_at")
        batch_op.drop_column("handoff_reason")
        batch_op.drop_column("handoff_at")
