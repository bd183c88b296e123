"""menu options remember being renamed after an order named them (so they can't be deleted)

Revision ID: menu_renamed_after_order
Revises: dashboard_status_pickup
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "menu_renamed_after_order"
down_revision: str | None = "dashboard_status_pickup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("menu_options", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "renamed_after_order", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("menu_options", schema=None) as batch_op:
        batch_op.drop_column("renamed_after_order")
