"""an index on orders (status, pickup_at) for the dashboard's and schedule's counts

Revision ID: dashboard_status_pickup
Revises: orderedit_search
"""

from collections.abc import Sequence

from alembic import op

revision: str = "dashboard_status_pickup"
down_revision: str | None = "orderedit_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "To arrange" (placed or ready, no pickup) and "overdue" (placed, pickup before today):
    # without it SQLite walks every order without a pickup time, which is every order placed
    # before the calendar.
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_status_pickup_at", ["status", "pickup_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_pickup_at")
