"""customer search terms: folded name words, emails, reversed phone digits, indexed

Revision ID: orderedit_search
Revises: inbox_messages
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cloudcity.search_terms import customer_terms, search_key

revision: str = "orderedit_search"
down_revision: str | None = "inbox_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000
TERM = sa.String(260).with_variant(sa.String(260, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.Text(), nullable=True))
    op.create_table(
        "customer_search_terms",
        sa.Column("term", TERM, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_search_terms_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "customer_id", name=op.f("pk_customer_search_terms")),
    )
    with op.batch_alter_table("customer_search_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_search_terms_customer_id"), ["customer_id"], unique=False
        )
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("search_key", sa.Text),
    )
    terms = sa.table("customer_search_terms", sa.column("term"), sa.column("customer_id"))
    for batch in _batches(connection, customers):
        rows: list[dict[str, object]] = []
        keys: list[dict[str, object]] = []
        for found in batch:
            found_terms = customer_terms(phone=found.phone, name=found.name, email=found.email)
            rows.extend({"term": t, "customer_id": found.id} for t in found_terms)
            keys.append({"customer_id": found.id, "key": search_key(found_terms)})
        connection.execute(sa.insert(terms), rows)
        connection.execute(
            sa.update(customers)
            .where(customers.c.id == sa.bindparam("customer_id"))
            .values(search_key=sa.bindparam("key")),
            keys,
        )


def _batches(connection: sa.Connection, customers: sa.TableClause) -> Iterator[list[Any]]:
    last = 0
    while True:
        query = (
            sa.select(customers.c.id, customers.c.phone, customers.c.name, customers.c.email)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(BATCH)
        )
        batch = list(connection.execute(query))
        if not batch:
            return
        yield batch
        last = batch[-1].id


def downgrade() -> None:
    with op.batch_alter_table("customer_search_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_search_terms_customer_id"))
    op.drop_table("customer_search_terms")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("search_key")
