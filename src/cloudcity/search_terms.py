"""The words a customer is found by in the admin's search, folded so any spelling finds them.

A name is folded (NFKD without combining marks, then casefold: "López" and "LOPEZ" are both
"lopez") and split into words; an email is casefolded whole; a phone number's digits are
reversed, so "ends with 0100" becomes "starts with 0010" and an index serves it. Each term is
tagged with its kind (`n:`, `e:`, `p:`) so a name never matches a phone number's digits.
"""

from __future__ import annotations

import re
import unicodedata

NAME, EMAIL, PHONE = "n:", "e:", "p:"
NOT_DIGITS = re.compile(r"\D")
# Word characters after folding; anything else (hyphens, apostrophes, dots) splits words, so
# "Jean-Luc O'Neil" is found by "luc" and by "neil".
WORDS = re.compile(r"\w+")
# Letters NFKD leaves whole (they are not a base letter plus an accent) but people type plain.
PLAIN_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"})


def fold(text: str) -> str:
    """Text without accents and case: 'Élodie Lòpez' -> 'elodie lopez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold().translate(PLAIN_LETTERS)


def name_words(text: str) -> list[str]:
    """The folded words of a name (or of what a baker typed to find one)."""
    return WORDS.findall(fold(text))


def reversed_digits(text: str) -> str:
    """The digits of a phone number, last first: '+1 415 555-0100' -> '00105551441'."""
    return NOT_DIGITS.sub("", text)[::-1]


def customer_terms(*, phone: str, name: str | None, email: str | None) -> list[str]:
    """Every term a customer is found by, without repeats, in a stable order."""
    terms = [NAME + word for word in name_words(name or "")]
    if email:
        terms.append(EMAIL + email.strip().casefold())
    terms.append(PHONE + reversed_digits(phone))
    return list(dict.fromkeys(terms))


def search_key(terms: list[str]) -> str:
    """The terms as one string, stored on the customer to tell cheaply whether they changed."""
    return "\n".join(terms)
