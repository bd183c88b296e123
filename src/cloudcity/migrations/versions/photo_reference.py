"""reference photos: pictures customers send while ordering, fetched by the worker

Revision ID: photo_reference
Revises: inscription_orders
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloudcity.db.base

revision: str = "photo_reference"
down_revision: str | None = "inscription_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("media_url", sa.String(length=1000), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stored_path", sa.String(length=200), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cloudcity.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_reference_photos_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_photos")),
    )
    with op.batch_alter_table("reference_photos", schema=None) as batch_op:
        batch_op.create_index("ix_reference_photos_address_id", ["address", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reference_photos_order_id"), ["order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reference_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reference_photos_order_id"))
        batch_op.drop_index("ix_reference_photos_address_id")

    op.drop_table("reference_photos")
