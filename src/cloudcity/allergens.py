"""The 14 allergens EU and UK rules name, and how a set of them is written and stored.

Stored as a comma-separated list of fixed codes (`gluten,eggs,milk`), so the same text column
works on SQLite and PostgreSQL; always written in the regulation's order, so two equal sets are
the same text (the menu's version digest depends on it).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable

MAX_MAY_CONTAIN = 200


class Allergen(enum.StrEnum):
    """One of the 14 allergens of Annex II (EU 1169/2011; UK: the Food Information Regulations)."""

    GLUTEN = "gluten"
    CRUSTACEANS = "crustaceans"
    EGGS = "eggs"
    FISH = "fish"
    PEANUTS = "peanuts"
    SOYBEANS = "soybeans"
    MILK = "milk"
    TREE_NUTS = "tree_nuts"
    CELERY = "celery"
    MUSTARD = "mustard"
    SESAME = "sesame"
    SULPHITES = "sulphites"
    LUPIN = "lupin"
    MOLLUSCS = "molluscs"

    @property
    def label(self) -> str:
        """The allergen in words: `tree nuts`."""
        return self.value.replace("_", " ")


ORDER = list(Allergen)


class UnknownAllergen(ValueError):
    """A code that is not one of the 14 allergens."""

    def __init__(self, code: str) -> None:
        known = ", ".join(allergen.value for allergen in Allergen)
        super().__init__(f"{code!r} is not one of the 14 allergens ({known})")
        self.code = code


def in_order(allergens: Iterable[Allergen]) -> tuple[Allergen, ...]:
    """The allergens once each, in the regulation's order."""
    present = set(allergens)
    return tuple(allergen for allergen in ORDER if allergen in present)


def parse(codes: Iterable[str]) -> tuple[Allergen, ...]:
    """Codes (`tree_nuts`) as allergens in order; UnknownAllergen for anything else."""
    found = []
    for code in codes:
        try:
            found.append(Allergen(code.strip()))
        except ValueError:
            raise UnknownAllergen(code) from None
    return in_order(found)


def encode(allergens: Iterable[Allergen]) -> str:
    """The stored form: `gluten,eggs,milk` ('' for none)."""
    return ",".join(allergen.value for allergen in in_order(allergens))


@functools.lru_cache(maxsize=256)  # a menu holds few distinct sets, read on every menu read
def decode(stored: str | None) -> tuple[Allergen, ...]:
    """The stored form read back; None (not recorded) reads as none."""
    return parse(code for code in (stored or "").split(",") if code.strip())


def words(allergens: Iterable[Allergen]) -> str:
    """`gluten, eggs, milk, tree nuts`: for a person to read."""
    return ", ".join(allergen.label for allergen in in_order(allergens))


def union(sets: Iterable[Iterable[Allergen]]) -> tuple[Allergen, ...]:
    """Everything any of the sets contains, in order: what a cake of these options contains."""
    return in_order(allergen for each in sets for allergen in each)


def joined_notes(notes: Iterable[str]) -> str:
    """Several "may contain" notes as one list, each item once, in the order given."""
    seen: dict[str, str] = {}
    for note in notes:
        for item in re.split(r"[,;]", note):
            clean = " ".join(item.split()).rstrip(".")
            if clean:
                seen.setdefault(clean.casefold(), clean)
    return ", ".join(seen.values())
