"""The bakery's menu: the default Cloud City menu, and how option names are matched."""

from __future__ import annotations

from cloudcity.db import UnitOfWork
from cloudcity.db.models import MenuOption
from cloudcity.domain import OptionKind

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


def normalise(name: str) -> str:
    """The matching key of a name: case and runs of spaces don't matter."""
    return " ".join(name.split()).casefold()


def seed_default_menu(*, uow: UnitOfWork) -> bool:
    """Fill an empty menu with the default Cloud City menu; True when it did."""
    if not uow.menu.is_empty():
        return False
    uow.menu.add_all(
        MenuOption(
            kind=kind, key=normalise(name), name=name, price_cents=price_cents, position=position
        )
        for kind, options in DEFAULT_MENU.items()
        for position, (name, price_cents) in enumerate(options)
    )
    return True
