"""What a customer writes on an order: the inscription piped on the cake, a note for the bakers.

One validator each, shared by the chat and the JSON API, so both accept and refuse alike.
An inscription may hold letters of any script with their combining marks (right-to-left
scripts too), digits, punctuation, spaces, currency signs and the printable ASCII signs a
piping bag can draw (+ = < > & ...). Emoji and other pictographs, invisible formatting
characters (bidi overrides, tags) and control characters are refused: nobody can pipe them.
Its length counts characters as a reader sees them: combining marks and the zero-width
joiners that Arabic, Persian or Devanagari need don't count. Line breaks and runs of spaces
become one space, and the text is NFC-normalised, so what is read back is what is piped.
"""

from __future__ import annotations

import unicodedata

from cloudcity.text import CONTROL

INSCRIPTION_LIMIT = 40  # characters piped on a cake, unless the shop sets another limit
INSCRIPTION_MAX_LIMIT = 200  # the largest limit a shop may set, and the API's hard cap
NOTE_MAX = 500
# Zero-width non-joiner and joiner (Persian, Indic scripts), left-to-right and right-to-left
# marks: invisible, but part of how those scripts are written.
JOINERS = frozenset("\u200c\u200d\u200e\u200f")
SHOWN_AT_MOST = 3


class TextRefused(ValueError):
    """The text cannot be taken as it is; the message tells the customer what to change."""


def inscription(text: str, *, limit: int) -> str | None:
    """The inscription as it will be piped, None when blank; `TextRefused` says why not."""
    tidy = _one_line(text, what="the cake")
    if not tidy:
        return None
    unpipeable = [char for char in tidy if not _pipeable(char)]
    if unpipeable:
        raise TextRefused(
            f"Sorry, we can't pipe {_shown(unpipeable)} on a cake. "
            "Please use letters, numbers and punctuation."
        )
    count = visible_length(tidy)
    if count > limit:
        raise TextRefused(
            f"That's {count} characters and we can fit {limit} on the cake. Please shorten it."
        )
    return tidy


def note(text: str) -> str | None:
    """A note for the bakers (an allergy, a wish) on one line, None when blank."""
    tidy = _one_line(text, what="your note")
    if len(tidy) > NOTE_MAX:
        raise TextRefused(f"Please keep the note to {NOTE_MAX} characters.")
    return tidy or None


def visible_length(text: str) -> int:
    """Characters as a reader counts them: combining marks and joiners left out."""
    return sum(1 for char in text if not _invisible(char))


def _one_line(text: str, *, what: str) -> str:
    if CONTROL.search(text):
        raise TextRefused(f"Sorry, {what} has invisible control characters. Please type it again.")
    return " ".join(unicodedata.normalize("NFC", text).split())


def _pipeable(char: str) -> bool:
    if char.isascii():
        return char.isprintable()
    category = unicodedata.category(char)
    if category[0] in "LNP" or category in ("Zs", "Sc"):
        return True
    if category in ("Mn", "Mc"):  # accents and vowel signs; not the selectors that make emoji
        return unicodedata.name(char, "").find("VARIATION SELECTOR") < 0
    return char in JOINERS


def _invisible(char: str) -> bool:
    return unicodedata.category(char)[0] == "M" or char in JOINERS


def _shown(chars: list[str]) -> str:
    """The refused characters as the customer can recognise them (invisible ones as U+XXXX)."""
    unique = list(dict.fromkeys(chars))
    symbols = [c for c in unique if unicodedata.category(c)[0] == "S"]
    shown = symbols or [f"U+{ord(c):04X}" for c in unique]
    return " ".join(shown[:SHOWN_AT_MOST])
