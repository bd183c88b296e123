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
SPONGE = "gluten,eggs,milk"  # wheat flour, eggs, butter and milk in every sponge
SHARED_KITCHEN = "tree nuts"  # the carrot cake's walnuts are baked in the same kitchen
# What each default option contains (allergen codes) and may contain (a note); a size is only
# a size, so sizes contain nothing of their own. Migration allergens_menu keeps a copy.
DEFAULT_ALLERGENS: dict[tuple[OptionKind, str], tuple[str, str]] = {
    (OptionKind.FLAVOUR, "Vanilla"): (SPONGE, SHARED_KITCHEN),
    (OptionKind.FLAVOUR, "Chocolate"): (SPONGE + ",soybeans", SHARED_KITCHEN),
    (OptionKind.FLAVOUR, "Red Velvet"): (SPONGE, SHARED_KITCHEN),
    (OptionKind.FLAVOUR, "Lemon"): (SPONGE, SHARED_KITCHEN),
    (OptionKind.FLAVOUR, "Carrot"): (SPONGE + ",tree_nuts", ""),
    (OptionKind.FLAVOUR, "Strawberry"): (SPONGE, SHARED_KITCHEN),
    (OptionKind.FROSTING, "Buttercream"): ("milk", ""),
    (OptionKind.FROSTING, "Cream Cheese"): ("milk", ""),
    (OptionKind.FROSTING, "Chocolate Ganache"): ("soybeans,milk", ""),
    (OptionKind.FROSTING, "Whipped Cream"): ("milk", ""),
    (OptionKind.TOPPING, "Sprinkles"): ("", "milk, soybeans"),
    (OptionKind.TOPPING, "Chocolate Shavings"): ("soybeans,milk", ""),
    (OptionKind.TOPPING, "Toasted Coconut"): ("", "peanuts, tree nuts"),
}


def normalise(name: str) -> str:
    """The matching key of a name: case and runs of spaces don't matter."""
    return " ".join(name.split()).casefold()


def seed_default_menu(*, uow: UnitOfWork) -> bool:
    """Fill an empty menu with the default Cloud City menu; True when it did."""
    if not uow.menu.is_empty():
        return False
    uow.menu.add_all(
        _default_option(kind, position, name, price_cents)
        for kind, options in DEFAULT_MENU.items()
        for position, (name, price_cents) in enumerate(options)
    )
    return True


def _default_option(kind: OptionKind, position: int, name: str, price_cents: int) -> MenuOption:
    contains, may_contain = DEFAULT_ALLERGENS.get((kind, name), ("", ""))
    return MenuOption(
        kind=kind,
        key=normalise(name),
        name=name,
        price_cents=price_cents,
        position=position,
        allergens=contains,
        may_contain=may_contain,
    )
