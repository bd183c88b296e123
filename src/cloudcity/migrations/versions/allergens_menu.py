"""menu_options: allergens and a may-contain note; orders keep their price lines and allergens

Revision ID: allergens_menu
Revises: ops_heartbeat
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "allergens_menu"
down_revision: str | None = "ops_heartbeat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPONGE = "gluten,eggs,milk"
# The default menu's honest values as of this revision (a copy: cloudcity.menu may change
# later, this history must not). Options a baker renamed or added are left for the editor.
DEFAULTS = {
    ("flavour", "vanilla"): (SPONGE, "tree nuts"),
    ("flavour", "chocolate"): (SPONGE + ",soybeans", "tree nuts"),
    ("flavour", "red velvet"): (SPONGE, "tree nuts"),
    ("flavour", "lemon"): (SPONGE, "tree nuts"),
    ("flavour", "carrot"): (SPONGE + ",tree_nuts", ""),
    ("flavour", "strawberry"): (SPONGE, "tree nuts"),
    ("frosting", "buttercream"): ("milk", ""),
    ("frosting", "cream cheese"): ("milk", ""),
    ("frosting", "chocolate ganache"): ("soybeans,milk", ""),
    ("frosting", "whipped cream"): ("milk", ""),
    ("topping", "sprinkles"): ("", "milk, soybeans"),
    ("topping", "chocolate shavings"): ("soybeans,milk", ""),
    ("topping", "toasted coconut"): ("", "peanuts, tree nuts"),
}
ORDER_COLUMNS = ("size_cents", "flavour_cents", "frosting_cents", "topping_cents")


def upgrade() -> None:
    with op.batch_alter_table("menu_options", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allergens", sa.String(length=160), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("may_contain", sa.String(length=200), server_default="", nullable=False)
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name in ORDER_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("allergens", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("may_contain", sa.String(length=1000), nullable=True))
    _fill_defaults()


def _fill_defaults() -> None:
    options = sa.table(
        "menu_options",
        sa.column("kind", sa.String),
        sa.column("key", sa.String),
        sa.column("allergens", sa.String),
        sa.column("may_contain", sa.String),
    )
    statement = (
        options.update()
        .where(options.c.kind == sa.bindparam("k"), options.c.key == sa.bindparam("n"))
        .values(allergens=sa.bindparam("a"), may_contain=sa.bindparam("m"))
    )
    rows = [
        {"k": kind, "n": key, "a": contains, "m": note}
        for (kind, key), (contains, note) in DEFAULTS.items()
    ]
    op.get_bind().execute(statement, rows)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name in ("may_contain", "allergens", *reversed(ORDER_COLUMNS)):
            batch_op.drop_column(name)
    with op.batch_alter_table("menu_options", schema=None) as batch_op:
        batch_op.drop_column("may_contain")
        batch_op.drop_column("allergens")
