"""How a cake is priced: size + flavour + frosting + topping, from the menu, on the server."""

from __future__ import annotations

from dataclasses import dataclass

from cloudcity.allergens import Allergen, joined_notes, union
from cloudcity.db import Reading, UnitOfWork
from cloudcity.domain import Cake, MenuItem, OptionKind
from cloudcity.menu import normalise


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, in words for whoever sent it."""

    field: str
    message: str


class MenuError(ValueError):
    """A cake asks for options that are not on the menu right now."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Quote:
    """A priced cake: the menu options it resolved to and the total in cents."""

    options: dict[OptionKind, MenuItem]

    @property
    def total_cents(self) -> int:
        """Size price + flavour + frosting + topping."""
        return sum(self.line_cents.values())

    @property
    def cake(self) -> Cake:
        """The cake with each choice in the menu's own spelling."""
        return Cake(**{kind.value: option.name for kind, option in self.options.items()})

    @property
    def line_cents(self) -> dict[OptionKind, int]:
        """What each choice adds to the total, by kind (the total is their sum)."""
        return {kind: option.price_cents for kind, option in self.options.items()}

    @property
    def allergens(self) -> tuple[Allergen, ...]:
        """Every allergen any chosen option contains, in the regulation's order."""
        return union(option.allergens for option in self.options.values())

    @property
    def may_contain(self) -> str:
        """The chosen options' "may contain" notes as one ('' for none)."""
        return joined_notes(option.may_contain for option in self.options.values())


def quote(*, uow: UnitOfWork | Reading, cake: Cake) -> Quote:
    """Price a cake from the current menu; MenuError lists every unknown or switched-off choice."""
    keys = {kind: normalise(choice) for kind, choice in cake.choices().items()}
    found = {option.kind: option for option in uow.menu.active_named(keys)}
    if len(found) == len(OptionKind):
        return Quote({kind: found[kind] for kind in OptionKind})
    # Something is off the menu: read all of it, to say what can be chosen instead.
    return price(uow.menu.orderable(), cake)


def price(menu: dict[OptionKind, list[MenuItem]], cake: Cake) -> Quote:
    """Price a cake from a menu already read (grouped by kind, orderable options only)."""
    resolved: dict[OptionKind, MenuItem] = {}
    problems: list[Problem] = []
    for kind in OptionKind:
        by_key = {normalise(option.name): option for option in menu[kind]}
        option = by_key.get(normalise(cake.choice(kind)))
        if option is None:
            valid = ", ".join(o.name for o in menu[kind]) or "none right now"
            problems.append(
                Problem(
                    f"cake.{kind.value}",
                    f"{kind.value} {cake.choice(kind)!r} is not on "
                    f"the menu; choose one of: {valid}",
                )
            )
        else:
            resolved[kind] = option
    if problems:
        raise MenuError(problems)
    return Quote(resolved)
