"""the calendar: pickup times on orders, capacity counters, chat holds and the shop's rules

Revision ID: calendar
Revises: admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloudcity.db.base

revision: str = "calendar"
down_revision: str | None = "admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pickup_day_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_pickup_day_counts_taken")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_pickup_day_counts")),
    )
    op.create_table(
        "pickup_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=40), nullable=False),
        sa.Column("slot_start", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("expires_at", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_holds")),
        sa.UniqueConstraint("address", name=op.f("uq_pickup_holds_address")),
    )
    with op.batch_alter_table("pickup_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pickup_holds_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "pickup_slot_counts",
        sa.Column("slot_start", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_pickup_slot_counts_taken")),
        sa.PrimaryKeyConstraint("slot_start", name=op.f("pk_pickup_slot_counts")),
    )
    op.create_table(
        "shop_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=False),
        sa.Column("updated_at", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_calendar")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pickup_at", cloudcity.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_orders_pickup_at"), ["pickup_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_pickup_at"))
        batch_op.drop_column("pickup_at")

    op.drop_table("shop_calendar")
    op.drop_table("pickup_slot_counts")
    with op.batch_alter_table("pickup_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pickup_holds_expires_at"))

    op.drop_table("pickup_holds")
    op.drop_table("pickup_day_counts")
