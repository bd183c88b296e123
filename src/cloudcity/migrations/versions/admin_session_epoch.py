"""admin_users.session_epoch: logging out ends the session on the server

Revision ID: session_epoch
Revises: calendar
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "session_epoch"
down_revision: str | None = "calendar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
