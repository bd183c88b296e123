"""What the customer writes in the chat: the inscription for the cake and a note for the bakers.

The inscription step comes right after the pickup time; its answer is checked by
`cloudcity.order_text` (the API's very rules) and kept in the conversation's data
(`inscription`: the text, or None for "no"; absent until asked). A note is any message before
confirming that starts with NOTE ("note: I'm allergic to nuts") or speaks of an allergy,
allergies, being allergic or an intolerance ("my son is allergic to nuts"), or asks to leave
something out ("no nuts please", "nut free", "without eggs", "we're vegan"): it is added to
`note`, never piped on the cake. A bare NOTE (or "Note for the bakers" at the change step)
asks for it instead.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from cloudcity.chat import matching, wording
from cloudcity.order_text import TextRefused, inscription, note

if TYPE_CHECKING:
    from cloudcity.chat.engine import Turn

INSCRIPTION = "inscription"
NOTE = "note"
NOTE_RETURN = "note_return"  # the step the NOTE question came from
NOTE_WORD = re.compile(r"^\s*notes?\b[\s:,.\-]*", re.IGNORECASE)
ALLERGY = re.compile(r"\b(allerg(y|ies|ic)|intoleran(t|ce))\b", re.IGNORECASE)
# An allergen by the names customers use: "No nuts please" is a note, "No. 1 Mum" and
# "Happy birthday Nuts" are inscriptions (no word saying to leave the allergen out).
_ALLERGEN = (
    r"(?:(?:tree\s*|pea|hazel|wal|coco)?nuts?|almonds?|cashews?|pecans?|pistachios?|dairy|milk"
    r"|lactose|gluten|wheat|eggs?|soy|soya|sesame|shellfish|mustard|celery|lupin)"
)
# Words asking to leave it out; phones often type a curly apostrophe (U+2019).
_LEAVE_OUT = (
    r"(?:no|without|zero|avoid|not\s+any|free\s+(?:of|from)"
    r"|(?:can['\u2019]?t|cannot|don['\u2019]?t|doesn['\u2019]?t|do\s+not|does\s+not)\s+(?:have|eat|take)"
    r"(?:\s+any)?)"
)
DIETARY = re.compile(
    rf"\b{_LEAVE_OUT}\s+(?:any\s+)?{_ALLERGEN}\b|\b{_ALLERGEN}[\s-]*free\b"
    r"|\b(?:coeliac|celiac)\b",
    re.IGNORECASE,
)
# "Vegan" asks for a vegan cake only when the message is about that ("make it vegan please"):
# "Happy Vegan Day" is an inscription.
VEGAN = "vegan"
VEGAN_WORDS = frozenset(
    {"vegan", "please", "pls", "it", "its", "needs", "need", "to", "be", "must", "make"}
    | {"the", "cake", "should", "a", "we", "re", "are", "i", "m", "am", "is", "for", "only", "s"}
    | {"option", "friendly", "plant", "based", "thanks", "thank", "you", "fully", "all"}
)
NOTHING = frozenset({"none", "nothing", "skip", "blank", "no thanks", "no thank you"})
RTL = frozenset({"R", "AL"})
# First-strong isolate / pop: right-to-left words keep their order inside an English sentence.
ISOLATE, POP = "\u2068", "\u2069"


def asked(turn: Turn) -> bool:
    """True once the inscription question was answered (with words or "no")."""
    return INSCRIPTION in turn.conversation.data


def written(turn: Turn) -> str | None:
    """The inscription chosen, if any."""
    value = turn.conversation.data.get(INSCRIPTION)
    return value if isinstance(value, str) else None


def noted(turn: Turn) -> str | None:
    """The note for the bakers, if any."""
    value = turn.conversation.data.get(NOTE)
    return value if isinstance(value, str) else None


def is_nothing(text: str) -> bool:
    """True for "no", "none", "skip" and the like: nothing to write or note."""
    return matching.yes_or_no(text) is False or matching.clean(text) in NOTHING


def take_inscription(turn: Turn, text: str, *, limit: int) -> str | None:
    """Keep the answer as the inscription; the reason when it can't be piped (asked again)."""
    try:
        words = None if is_nothing(text) else inscription(text, limit=limit)
    except TextRefused as exc:
        return str(exc)
    turn.remember(**{INSCRIPTION: words})
    return None


def told(text: str) -> str | None:
    """The note a message carries ("" for a bare NOTE), or None when it is not a note."""
    found = NOTE_WORD.match(text)
    if found:
        return text[found.end() :].strip()
    return text.strip() if ALLERGY.search(text) or is_dietary(text) else None


def is_dietary(text: str) -> bool:
    """True when the message asks to leave an allergen out, or for a vegan cake.

    A question ("is it gluten free?") asks about the cake: it is not a note.
    """
    if text.rstrip().endswith("?"):
        return False
    if DIETARY.search(text):
        return True
    words = set(matching.clean(text).split())
    return VEGAN in words and words <= VEGAN_WORDS


def add_note(turn: Turn, text: str, *, replace: bool = False) -> str:
    """Add to (or replace) the note; what to tell the customer."""
    earlier = None if replace else noted(turn)
    try:
        words = None if is_nothing(text) else note(f"{earlier}; {text}" if earlier else text)
    except TextRefused as exc:
        return str(exc)
    turn.remember(**{NOTE: words})
    return wording.NOTE_CLEARED if words is None else wording.NOTED.format(note=quoted(words))


def quoted(text: str) -> str:
    """Text in curly quotes, isolated when it holds right-to-left letters."""
    if any(unicodedata.bidirectional(char) in RTL for char in text):
        text = f"{ISOLATE}{text}{POP}"
    return f"\u201c{text}\u201d"


def read_back(turn: Turn) -> str:
    """The confirmation's lines for the inscription and the note (or how to add one)."""
    words, said = written(turn), noted(turn)
    lines = [wording.WRITTEN.format(text=quoted(words)) if words else wording.NOTHING_WRITTEN]
    lines.append(wording.NOTE_LINE.format(note=quoted(said)) if said else wording.NOTE_HINT)
    return "\n".join(lines)
