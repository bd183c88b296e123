"""indexes for the admin's order list and search

Revision ID: admin
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "admin"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_placed_at")
        batch_op.create_index("ix_orders_placed_at_id", ["placed_at", "id"], unique=False)
        batch_op.create_index(
            "ix_orders_status_placed_at_id", ["status", "placed_at", "id"], unique=False
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_name"))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_placed_at_id")
        batch_op.drop_index("ix_orders_placed_at_id")
        batch_op.create_index("ix_orders_placed_at", ["placed_at"], unique=False)
