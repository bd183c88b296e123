"""Money as integer cents: parse what people and clients write, and show it back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$"}
# "1e999990" must be refused by looking at it (its length, its exponent), never by computing
# with it: Decimal arithmetic overflows and int() or formatting takes seconds to minutes.
MAX_TEXT = 40


class MoneyError(ValueError):
    """An amount that is not a valid, non-negative price with at most two decimals."""


def to_cents(value: object) -> int:
    """Turn 32, 32.5, "32.50" or Decimal("32.5") into 3250; refuse anything else."""
    amount = _bounded(_decimal(value))
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise MoneyError("a price has at most two decimals")
    return int(cents)


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise MoneyError("a price must be a number such as 32.50")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and value.bit_length() > 64:
        raise MoneyError("a price must be below 1,000,000,000,000")
    text = str(value).strip().lstrip("$€£")
    if len(text) > MAX_TEXT:
        raise MoneyError(f"a price is at most {MAX_TEXT} characters")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not a number") from None


def _bounded(amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise MoneyError("a price must be a finite number")
    if amount.is_signed() and amount != 0:
        raise MoneyError("a price cannot be negative")
    # adjusted() reads the exponent; no digits are computed, whatever the exponent is.
    if amount != 0 and amount.adjusted() >= 12:
        raise MoneyError("a price must be below 1,000,000,000,000")
    return amount


def to_number(cents: int) -> int | float:
    """The amount as a JSON number in the shop's currency (3250 -> 32.5, 3000 -> 30)."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def format_money(cents: int, currency: str = "USD") -> str:
    """A price as people read it: $32.50."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{cents // 100:,}.{cents % 100:02d}"
