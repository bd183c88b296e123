"""outbox: sending_since marks a send whose outcome is in doubt until recorded

Revision ID: outbox_doubt
Revises: session_epoch
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloudcity.db.base

revision: str = "outbox_doubt"
down_revision: str | None = "session_epoch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sending_since", cloudcity.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sending_since")
