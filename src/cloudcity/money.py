"""Money as integer cents: parse what people and clients write, and show it back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$"}


class MoneyError(ValueError):
    """An amount that is not a valid, non-negative price with at most two decimals."""


def to_cents(value: object) -> int:
    """Turn 32, 32.5, "32.50" or Decimal("32.5") into 3250; refuse anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise MoneyError("a price must be a number such as 32.50")
    try:
        amount = Decimal(str(value).strip().lstrip("$€£"))
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise MoneyError("a price must be a finite number")
    if amount < 0:
        raise MoneyError("a price cannot be negative")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise MoneyError("a price has at most two decimals")
    return int(cents)


def to_number(cents: int) -> int | float:
    """The amount as a JSON number in the shop's currency (3250 -> 32.5, 3000 -> 30)."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def format_money(cents: int, currency: str = "USD") -> str:
    """A price as people read it: $32.50."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{cents // 100:,}.{cents % 100:02d}"
