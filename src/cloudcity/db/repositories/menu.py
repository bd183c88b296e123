"""The menu's options: read as plain values (every message and quote needs them), kept per
process in the Database's MenuCache, and edited as tracked rows."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity import allergens
from cloudcity.db.base import table_of
from cloudcity.db.dialect import backend, fingerprint
from cloudcity.db.menu_cache import Menu, MenuCache
from cloudcity.db.models import MenuOption, Order
from cloudcity.domain import MenuItem, OptionKind

_OPTIONS = table_of(MenuOption).c
_ITEM_COLUMNS = (
    _OPTIONS.id,
    _OPTIONS.kind,
    _OPTIONS.name,
    _OPTIONS.price_cents,
    _OPTIONS.active,
    _OPTIONS.allergens,
    _OPTIONS.may_contain,
)
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

# An order keeps the names it was placed with, one column per kind (no key to the option).
_ORDER_COLUMN = {
    OptionKind.SIZE: Order.size,
    OptionKind.FLAVOUR: Order.flavour,
    OptionKind.FROSTING: Order.frosting,
    OptionKind.TOPPING: Order.topping,
}
_ORDERED = sa.select(MenuOption.id).where(
    sa.or_(
        MenuOption.renamed_after_order,
        *(
            sa.and_(MenuOption.kind == kind, sa.exists().where(column == MenuOption.name))
            for kind, column in _ORDER_COLUMN.items()
        ),
    )
)


def menu_version(backend_name: str) -> sa.ColumnElement[str | None]:
    """The menu's version, to select beside another query (see MenuCache)."""
    return fingerprint(table_of(MenuOption), backend_name)


def item(row: Sequence[Any]) -> MenuItem:
    """A menu option read with `_ITEM_COLUMNS` as a plain value, its allergens decoded."""
    option_id, kind, name, price_cents, active, stored_allergens, may_contain = row
    return MenuItem(
        option_id, kind, name, price_cents, active, allergens.decode(stored_allergens), may_contain
    )


def group(options: Iterable[MenuItem]) -> Menu:
    """Group options by kind, every kind present even when empty."""
    grouped: Menu = {kind: [] for kind in OptionKind}
    for option in options:
        grouped[option.kind].append(option)
    return grouped


class MenuRepository:
    """Menu options, read through the process's MenuCache where a version is at hand."""

    def __init__(self, session: orm.Session, cache: MenuCache) -> None:
        self._session = session
        self._cache = cache
        self.changed = False

    def options(self, *, only_active: bool = True) -> list[MenuItem]:
        """Every option in menu order, the switched-off ones only when asked."""
        query = _ACTIVE_IN_MENU_ORDER if only_active else _IN_MENU_ORDER
        return [item(row) for row in self._session.execute(query)]

    def orderable(self) -> Menu:
        """The options a customer can order now, grouped by kind in menu order."""
        return group(self.options())

    def orderable_at(self, version: str | None) -> Menu:
        """`orderable`, from the cache when `version` (read beside a lock) matches its copy."""
        return self._cache.get(version, self._read_versioned)

    def active_named(self, names: dict[OptionKind, str]) -> list[MenuItem]:
        """The orderable option of each kind with the given key, where there is one (one query)."""
        keys = {kind.value: names[kind] for kind in OptionKind}
        return [item(row) for row in self._session.execute(_ACTIVE_NAMED, keys)]

    def get(self, option_id: int) -> MenuOption | None:
        """One option as a tracked row, to change it."""
        return self._session.get(MenuOption, option_id)

    def is_empty(self) -> bool:
        """True when the menu has no option at all."""
        return self._session.scalar(sa.select(MenuOption.id).limit(1)) is None

    def last_position(self, kind: OptionKind) -> int | None:
        """The position of the last option of a kind."""
        query = sa.select(sa.func.max(MenuOption.position)).where(MenuOption.kind == kind)
        return self._session.scalar(query)

    def name_taken(self, kind: OptionKind, key: str, *, other_than: int | None) -> str | None:
        """The name of another option of this kind with this matching key, if there is one."""
        query = sa.select(MenuOption.name).where(MenuOption.kind == kind, MenuOption.key == key)
        if other_than is not None:
            query = query.where(MenuOption.id != other_than)
        return self._session.scalar(query.limit(1))

    def ordered_ids(self) -> set[int]:
        """The ids of the options some order (of any status) names, now or before a rename."""
        return set(self._session.scalars(_ORDERED))

    def was_ordered(self, option: MenuOption) -> bool:
        """True when some order (of any status) names this option, now or before a rename."""
        if option.renamed_after_order:
            return True
        ordered = sa.exists().where(_ORDER_COLUMN[option.kind] == option.name)
        return bool(self._session.scalar(sa.select(ordered)))

    def delete(self, option: MenuOption) -> None:
        """Remove an option from the menu for good."""
        self.changed = True
        self._session.delete(option)
        self._session.flush()

    def add_all(self, options: Iterable[MenuOption]) -> None:
        """Add options (seeding an empty menu)."""
        self.changed = True
        self._session.add_all(options)
        self._session.flush()

    def save(self, option: MenuOption) -> bool:
        """Add or update an option; False when its name became taken meanwhile."""
        self.changed = True
        try:
            with self._session.begin_nested():
                self._session.add(option)
                self._session.flush()
        except sa.exc.IntegrityError:
            return False
        return True

    def _read_versioned(self) -> tuple[str | None, Menu]:
        rows = self._session.execute(_versioned(backend(self._session))).all()
        read_version = rows[0][-1] if rows else None
        return read_version, group(item(row[:-1]) for row in rows)


@functools.cache
def _versioned(backend_name: str) -> sa.Select[Any]:
    # One statement, so the version and the options come from one snapshot.
    return _ACTIVE_IN_MENU_ORDER.add_columns(menu_version(backend_name))
