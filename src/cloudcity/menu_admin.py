"""Editing the menu: add, rename, reprice, switch off or on, delete (no commit here).

Only an option no order names can be deleted: the others stay, switched off, so the orders,
their invoices and the CSV keep reading like the menu they were placed from.
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudcity import allergens
from cloudcity.db import UnitOfWork
from cloudcity.db.models import MenuOption
from cloudcity.domain import OptionKind
from cloudcity.menu import normalise
from cloudcity.text import clean_line

MAX_NAME = 80
MAX_PRICE_CENTS = 10_000_000


class MenuEditError(ValueError):
    """A menu change refused, with the reason in words for the baker."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


def add_option(*, uow: UnitOfWork, kind: OptionKind, name: str, price_cents: int) -> MenuOption:
    """Add an option at the end of its kind's list, switched on."""
    clean = _checked_name(uow, kind=kind, name=name)
    _check_price(price_cents)
    last = uow.menu.last_position(kind)
    option = MenuOption(
        kind=kind,
        key=normalise(clean),
        name=clean,
        price_cents=price_cents,
        position=0 if last is None else last + 1,
    )
    return _saved(uow, option)


def update_option(*, uow: UnitOfWork, option_id: int, name: str, price_cents: int) -> MenuOption:
    """Rename and reprice an option (orders already placed keep their name and price)."""
    option = get_option(uow, option_id=option_id)
    clean = _checked_name(uow, kind=option.kind, name=name, other_than=option.id)
    _check_price(price_cents)
    if clean != option.name and uow.menu.was_ordered(option):
        option.renamed_after_order = True  # orders keep the old name: never delete it
    option.name = clean
    option.key = normalise(clean)
    option.price_cents = price_cents
    return _saved(uow, option)


def set_active(*, uow: UnitOfWork, option_id: int, active: bool) -> MenuOption:
    """Switch an option on or off; a switched-off option can't be ordered."""
    option = get_option(uow, option_id=option_id)
    option.active = active
    return _saved(uow, option)


def delete_option(*, uow: UnitOfWork, option_id: int) -> MenuOption:
    """Delete an option that was never ordered; one that was can only be switched off."""
    option = get_option(uow, option_id=option_id)
    if uow.menu.was_ordered(option):
        raise MenuEditError(
            f"{option.name!r} has been ordered, so it stays on the books: switch it off instead",
            field="ordered",
        )
    uow.menu.delete(option)
    return option


def set_allergens(
    *, uow: UnitOfWork, option_id: int, codes: Iterable[str], may_contain: str
) -> MenuOption:
    """Record what an option contains (allergen codes) and may contain (a free note)."""
    option = get_option(uow, option_id=option_id)
    try:
        contained = allergens.parse(codes)
    except allergens.UnknownAllergen as exc:
        raise MenuEditError(str(exc), field="allergens") from None
    note = " ".join(clean_line(may_contain).split())
    if len(note) > allergens.MAX_MAY_CONTAIN:
        message = f"keep the may-contain note under {allergens.MAX_MAY_CONTAIN + 1} characters"
        raise MenuEditError(message, field="may_contain")
    option.allergens = allergens.encode(contained)
    option.may_contain = note
    return _saved(uow, option)


def get_option(uow: UnitOfWork, *, option_id: int) -> MenuOption:
    """One option by id; MenuEditError when it does not exist."""
    option = uow.menu.get(option_id)
    if option is None:
        raise MenuEditError("that menu option no longer exists; reload the page", field="id")
    return option


def _checked_name(
    uow: UnitOfWork, *, kind: OptionKind, name: str, other_than: int | None = None
) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise MenuEditError("give the option a name")
    # The matching key is stored too, and case-folding can lengthen a name ("ß" -> "ss").
    if len(normalise(clean)) > MAX_NAME:
        raise MenuEditError(f"keep the name under {MAX_NAME + 1} characters")
    taken = uow.menu.name_taken(kind, normalise(clean), other_than=other_than)
    if taken is not None:
        raise MenuEditError(f"there is already a {kind.value} called {taken!r}")
    return clean


def _check_price(price_cents: int) -> None:
    if price_cents < 0:
        raise MenuEditError("a price cannot be negative", field="price")
    if price_cents > MAX_PRICE_CENTS:
        raise MenuEditError("a price must be under 100,000.00", field="price")


def _saved(uow: UnitOfWork, option: MenuOption) -> MenuOption:
    if not uow.menu.save(option):
        # Someone else saved the same name in the same kind a moment ago.
        raise MenuEditError(f"there is already a {option.kind.value} called {option.name!r}")
    return option
