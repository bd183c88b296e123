"""The menu editor: services and the /admin/menu pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity import menu_admin
from cloudcity.db.models import MenuOption, OptionKind
from cloudcity.menu import orderable


def option(session: orm.Session, kind: OptionKind, name: str) -> MenuOption:
    """The option of a kind with this exact name."""
    return session.scalars(
        sa.select(MenuOption).where(MenuOption.kind == kind, MenuOption.name == name)
    ).one()


def snapshot(session: orm.Session) -> list[tuple[object, ...]]:
    """Every option's fields, to show that a refused change changed nothing."""
    session.expire_all()
    rows = session.execute(
        sa.select(
            MenuOption.id,
            MenuOption.kind,
            MenuOption.name,
            MenuOption.key,
            MenuOption.price_cents,
            MenuOption.active,
        ).order_by(MenuOption.id)
    )
    return [tuple(row) for row in rows]


def test_added_option_goes_last_and_is_orderable(session: orm.Session) -> None:
    added = menu_admin.add_option(
        session, kind=OptionKind.FLAVOUR, name="  Pistachio   Rose ", price_cents=400
    )
    assert (added.name, added.key, added.active) == ("Pistachio Rose", "pistachio rose", True)
    assert orderable(session)[OptionKind.FLAVOUR][-1].id == added.id


def test_rename_and_reprice(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.update_option(session, option_id=lemon.id, name="Lemon Zest", price_cents=275)
    assert (lemon.name, lemon.key, lemon.price_cents) == ("Lemon Zest", "lemon zest", 275)


def test_renaming_to_its_own_name_in_another_case_is_fine(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.update_option(session, option_id=lemon.id, name="LEMON", price_cents=200)
    assert lemon.name == "LEMON"


@pytest.mark.parametrize(
    ("name", "price_cents", "message"),
    [
        ("   ", 100, "give the option a name"),
        ("red   VELVET", 100, "already a flavour called 'Red Velvet'"),
        ("Mango", -1, "cannot be negative"),
        ("x" * 81, 100, "under 81 characters"),
    ],
)
def test_bad_additions_are_refused(
    session: orm.Session, name: str, price_cents: int, message: str
) -> None:
    before = snapshot(session)
    with pytest.raises(menu_admin.MenuEditError, match=message):
        menu_admin.add_option(session, kind=OptionKind.FLAVOUR, name=name, price_cents=price_cents)
    assert snapshot(session) == before


def test_the_same_name_may_exist_in_another_kind(session: orm.Session) -> None:
    added = menu_admin.add_option(
        session, kind=OptionKind.TOPPING, name="Chocolate", price_cents=150
    )
    assert added.kind is OptionKind.TOPPING


def test_switching_off_hides_an_option_from_ordering(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.set_active(session, option_id=lemon.id, active=False)
    assert "Lemon" not in [o.name for o in orderable(session)[OptionKind.FLAVOUR]]
    menu_admin.set_active(session, option_id=lemon.id, active=True)
    assert "Lemon" in [o.name for o in orderable(session)[OptionKind.FLAVOUR]]


def test_a_missing_option_is_reported(session: orm.Session) -> None:
    with pytest.raises(menu_admin.MenuEditError, match="no longer exists"):
        menu_admin.set_active(session, option_id=9999, active=False)
