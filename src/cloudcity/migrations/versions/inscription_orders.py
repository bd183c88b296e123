"""orders: the inscription piped on the cake and the customer's note (an allergy, a wish)

Revision ID: inscription_orders
Revises: allergens_menu
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "inscription_orders"
down_revision: str | None = "allergens_menu"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inscription", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("inscription")
