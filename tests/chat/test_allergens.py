"""The chat says what a cake contains before it is ordered, from the menu as it is now."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import orm

from cloudcity.db.models import MenuOption
from tests.support.chat import Phone


def set_allergens(session: orm.Session, name: str, codes: str, note: str = "") -> None:
    """Change an option's allergens in the database, as the menu editor would."""
    option = session.scalars(sa.select(MenuOption).where(MenuOption.name == name)).one()
    option.allergens, option.may_contain = codes, note
    session.commit()


def test_the_confirmation_lists_what_the_chosen_options_contain(
    phone: Callable[..., Phone],
) -> None:
    ana = phone()
    confirm = ana.order(
        "hi", "Large", "Carrot", "Chocolate Ganache", "Chocolate Shavings", "1", "no"
    )
    assert "\nContains: gluten, eggs, soybeans, milk, tree nuts.\n" in confirm
    assert "May contain" not in confirm


def test_may_contain_notes_are_joined_once_each(phone: Callable[..., Phone]) -> None:
    ana = phone()
    confirm = ana.order("hi", "Small", "Vanilla", "Buttercream", "Toasted Coconut", "1", "no")
    assert "Contains: gluten, eggs, milk. May contain: tree nuts, peanuts.\n" in confirm


def test_a_cake_with_no_allergens_says_so(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    set_allergens(session, "Vanilla", "")
    set_allergens(session, "Buttercream", "")
    ana = phone()
    confirm = ana.order("hi", "Small", "Vanilla", "Buttercream", "None", "1", "no")
    assert "Contains: none of the 14 major allergens." in confirm


def test_an_allergen_change_is_read_at_once(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    before = ana.order("hi", "Small", "Lemon", "Buttercream", "None", "1", "no")
    assert "Contains: gluten, eggs, milk. May contain: tree nuts." in before
    set_allergens(session, "Buttercream", "milk,sesame", "traces of mustard")
    assert "Buttercream (milk, sesame; may contain traces of mustard)" in ana.say("menu")
    again = ana.order("no", "frosting", "buttercream")
    assert (
        "Contains: gluten, eggs, milk, sesame. May contain: tree nuts, traces of mustard." in again
    )


def test_the_menu_answer_names_each_options_allergens(phone: Callable[..., Phone]) -> None:
    ana = phone()
    ana.say("hi")
    menu = ana.say("menu")
    assert "Chocolate (gluten, eggs, soybeans, milk; may contain tree nuts)" in menu
    assert "Chocolate Ganache +$3.50 (soybeans, milk)" in menu
    assert "Fresh Berries +$4.50, Chocolate Shavings" in menu  # nothing to declare: no brackets
    assert "Size: Small $20, Medium $30, Large $42\n" in menu
