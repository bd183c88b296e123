"""The bakery's menu: what can be ordered right now, and the default Cloud City menu."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, fingerprint
from cloudcity.db.models import MenuOption, OptionKind

DEFAULT_MENU: dict[OptionKind, list[tuple[str, int]]] = {
    OptionKind.SIZE: [("Small", 2000), ("Medium", 3000), ("Large", 4200)],
    OptionKind.FLAVOUR: [
        ("Vanilla", 0),
        ("Chocolate", 0),
        ("Red Velvet", 300),
        ("Lemon", 200),
        ("Carrot", 200),
        ("Strawberry", 250),
    ],
    OptionKind.FROSTING: [
        ("Buttercream", 0),
        ("Cream Cheese", 200),
        ("Chocolate Ganache", 350),
        ("Whipped Cream", 150),
    ],
    OptionKind.TOPPING: [
        ("None", 0),
        ("Sprinkles", 100),
        ("Fresh Berries", 450),
        ("Chocolate Shavings", 250),
        ("Toasted Coconut", 200),
        ("Edible Flowers", 550),
    ],
}


@dataclass(frozen=True)
class MenuItem:
    """A menu option as read for display and pricing (a plain value, not a tracked row)."""

    id: int
    kind: OptionKind
    name: str
    price_cents: int
    active: bool


def normalise(name: str) -> str:
    """The matching key of a name: case and runs of spaces don't matter."""
    return " ".join(name.split()).casefold()


def seed_default_menu(session: orm.Session) -> bool:
    """Fill an empty menu with the default Cloud City menu; True when it did."""
    if session.scalar(sa.select(MenuOption.id).limit(1)) is not None:
        return False
    for kind, options in DEFAULT_MENU.items():
        for position, (name, price_cents) in enumerate(options):
            session.add(
                MenuOption(
                    kind=kind,
                    key=normalise(name),
                    name=name,
                    price_cents=price_cents,
                    position=position,
                )
            )
    session.flush()
    return True


# Plain table rows, not ORM objects: every chat message and price quote reads the menu.
_OPTIONS = table_of(MenuOption).c
_ITEM_COLUMNS = (_OPTIONS.id, _OPTIONS.kind, _OPTIONS.name, _OPTIONS.price_cents, _OPTIONS.active)
_IN_MENU_ORDER = sa.select(*_ITEM_COLUMNS).order_by(_OPTIONS.kind, _OPTIONS.position, _OPTIONS.id)
_ACTIVE_IN_MENU_ORDER = _IN_MENU_ORDER.where(_OPTIONS.active)
_ACTIVE_NAMED = sa.select(*_ITEM_COLUMNS).where(
    _OPTIONS.active,
    sa.or_(
        *(
            sa.and_(
                _OPTIONS.kind == kind, _OPTIONS.key == sa.bindparam(kind.value, type_=sa.String)
            )
            for kind in OptionKind
        )
    ),
)


def list_options(session: orm.Session, *, only_active: bool = True) -> list[MenuItem]:
    """Every menu option in menu order, the switched-off ones only when asked."""
    query = _ACTIVE_IN_MENU_ORDER if only_active else _IN_MENU_ORDER
    return [MenuItem(*row) for row in session.execute(query)]


def active_named(session: orm.Session, names: dict[OptionKind, str]) -> list[MenuItem]:
    """The orderable option of each kind with the given name, where there is one (one query)."""
    keys = {kind.value: normalise(names[kind]) for kind in OptionKind}
    return [MenuItem(*row) for row in session.execute(_ACTIVE_NAMED, keys)]


def orderable(session: orm.Session) -> dict[OptionKind, list[MenuItem]]:
    """The options a customer can order now, grouped by kind in menu order."""
    return group(list_options(session))


def version(backend_name: str) -> sa.ColumnElement[str | None]:
    """The menu's version, to select beside something else: NULL where menus aren't cached."""
    return fingerprint(table_of(MenuOption), backend_name)


# The last menu this process read, under its version: every chat message needs the menu,
# and on PostgreSQL reading it is a round trip that the version, fetched with the
# conversation's lock, usually saves.
_last_read: tuple[str, dict[OptionKind, list[MenuItem]]] | None = None


def orderable_at(
    session: orm.Session, menu_version: str | None
) -> dict[OptionKind, list[MenuItem]]:
    """`orderable`, from this process's copy when `menu_version` (see `version`) matches it."""
    global _last_read
    last = _last_read
    if menu_version is None or last is None or last[0] != menu_version:
        read_version, menu = _read_versioned(session)
        if read_version is None:  # nothing to key a copy by (SQLite, an empty menu)
            return menu
        last = _last_read = (read_version, menu)
    # A copy of the lists: whoever gets the menu may change them, the cached one must not.
    return {kind: list(options) for kind, options in last[1].items()}


def _read_versioned(session: orm.Session) -> tuple[str | None, dict[OptionKind, list[MenuItem]]]:
    rows = session.execute(_versioned(backend(session))).all()
    read_version = rows[0][-1] if rows else None
    return read_version, group(MenuItem(*row[:-1]) for row in rows)


@functools.cache
def _versioned(backend_name: str) -> sa.Select[Any]:
    # One statement, so the version and the options come from one snapshot.
    return _ACTIVE_IN_MENU_ORDER.add_columns(version(backend_name))


def group(options: Iterable[MenuItem]) -> dict[OptionKind, list[MenuItem]]:
    """Group options by kind, every kind present even when empty."""
    grouped: dict[OptionKind, list[MenuItem]] = {kind: [] for kind in OptionKind}
    for option in options:
        grouped[option.kind].append(option)
    return grouped
