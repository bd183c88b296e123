"""Forgiving answer matching: pure functions from what a customer typed to what they meant."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 80.0
# A typo picks a choice only when it is clearly closer to it than to any other choice.
FUZZY_MARGIN = 6.0
NAME_MAX = 100

YES = frozenset({"yes", "y", "yeah", "yep", "sure", "ok", "okay", "please", "definitely"})
NO = frozenset({"no", "n", "nope", "nah"})
POLITE = frozenset({"please", "thanks", "thank", "you", "thx", "ty"})


class Keyword(enum.StrEnum):
    """Words that mean the same at every step of a conversation."""

    RESTART = "restart"
    CANCEL = "cancel"
    HELP = "help"
    MENU = "menu"
    STATUS = "status"
    OPT_OUT = "opt_out"


# Twilio's default SMS opt-out list also holds CANCEL, but in our chat "cancel" means
# "cancel this conversation": a customer typing it mid-order wants to stop ordering, not to
# never hear from us again. So CANCEL is not an opt-out here (remove it from the Messaging
# Service's opt-out keywords in the Twilio console so Twilio agrees); every other standard
# opt-out word is.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})

KEYWORDS: dict[str, Keyword] = {
    "restart": Keyword.RESTART,
    "start over": Keyword.RESTART,
    "start again": Keyword.RESTART,
    "start": Keyword.RESTART,
    "reset": Keyword.RESTART,
    "cancel": Keyword.CANCEL,
    "help": Keyword.HELP,
    "menu": Keyword.MENU,
    "status": Keyword.STATUS,
    **dict.fromkeys(OPT_OUT_WORDS, Keyword.OPT_OUT),
}


@dataclass(frozen=True)
class Match:
    """The choice an answer picked, or the near candidates when it picked none."""

    choice: str | None
    candidates: tuple[str, ...] = ()


def clean(text: str) -> str:
    """Lower-case words without surrounding punctuation: ` Large! ` -> `large`."""
    return " ".join(re.sub(r"[^\w#]+", " ", text.casefold()).replace("_", " ").split())


def keyword(text: str) -> Keyword | None:
    """The keyword an answer is, if it is exactly one."""
    return KEYWORDS.get(clean(text))


def is_opt_in(text: str) -> bool:
    """True for the words that opt a customer back in (START, UNSTOP, YES)."""
    return clean(text) in OPT_IN_WORDS


def yes_or_no(text: str) -> bool | None:
    """True for yes, False for no, None when the answer is neither ("yes please" is yes)."""
    words = clean(text).split()
    if not words:
        return None
    if words[0] in NO and all(word in NO | POLITE for word in words):
        return False
    if words[0] in YES and all(word in YES | POLITE for word in words):
        return True
    return None


def match_choice(text: str, choices: Sequence[str]) -> Match:
    """Pick one of `choices`: by its number, its name, a unique word of it, or a small typo."""
    answer = clean(text)
    if not answer or not choices:
        return Match(None)
    names = [clean(choice) for choice in choices]
    for pick in (_by_number, _by_name, _by_words):
        found = pick(answer, names)
        if len(found) == 1:
            return Match(choices[found[0]])
        if found:
            return Match(None, tuple(choices[i] for i in found))
    return _by_typo(answer, names, choices)


def _by_number(answer: str, names: list[str]) -> list[int]:
    number = answer.removeprefix("number").strip().removeprefix("#").strip()
    if number.isdigit() and 1 <= int(number) <= len(names):
        return [int(number) - 1]
    return []


def _by_name(answer: str, names: list[str]) -> list[int]:
    squeezed = answer.replace(" ", "")
    return [i for i, name in enumerate(names) if squeezed == name.replace(" ", "")]


def _by_words(answer: str, names: list[str]) -> list[int]:
    """Whole names inside the answer ("large please"), else names holding it ("velvet")."""
    padded = f" {answer} "
    within = [i for i, name in enumerate(names) if f" {name} " in padded]
    return within or [i for i, name in enumerate(names) if padded in f" {name} "]


def _by_typo(answer: str, names: list[str], choices: Sequence[str]) -> Match:
    scored = process.extract(answer, names, scorer=fuzz.ratio, limit=3)
    near = [(index, score) for _, score, index in scored if score >= FUZZY_CUTOFF]
    if not near:
        return Match(None)
    best_index, best_score = near[0]
    rivals = [index for index, score in near[1:] if best_score - score < FUZZY_MARGIN]
    if rivals:
        return Match(None, tuple(choices[i] for i in [best_index, *rivals]))
    return Match(choices[best_index])


def person_name(text: str) -> str | None:
    """A name as the customer wrote it, tidied; None when it cannot be a name."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or not any(char.isalpha() for char in name):
        return None
    return name


class Intent(enum.StrEnum):
    """What a message means when it is not an answer to the question asked."""

    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    ORDER = "order"
    PERSON = "person"
    HELP_ME = "help_me"
    CANCEL_ORDER = "cancel_order"
    MOVE_ORDER = "move_order"
    FORGET_ME = "forget_me"  # "delete my data": a request for staff to confirm, never automatic


GREETING = re.compile(
    r"(?:hi+|hello+|hey+|hiya|heya|howdy|hola|good (?:morning|afternoon|evening)|morning)"
    r"(?: (?:there|again|all|everyone|team|folks))*"
)
_FILLER = frozenset(
    {"i", "d", "id", "would", "like", "love", "want", "wanna", "to", "can", "could", "may"}
    | {"please", "let", "me", "s", "a", "an", "the", "you", "so", "very", "much", "again"}
    | {"too", "just"}
)
_THANKS = frozenset({"thank", "thanks", "thx", "ty", "ta", "cheers", "appreciated"})
_THANKS_WORDS = _THANKS | {"lot", "many", "great", "perfect", "awesome", "lovely", "u", "x"}
_THANKS_WORDS |= {"xx", "xxx", "mate", "love", "all", "that", "s", "it", "brilliant"}
_BYE = frozenset({"bye", "goodbye", "cya", "later", "goodnight", "ttyl", "see", "night"})
_BYE_WORDS = _BYE | {"ya", "good", "take", "care", "have", "nice", "day", "nighty", "nite"}
_BYE_WORDS |= {"soon", "then", "evening", "weekend", "lovely", "x", "xx"}
_ORDER = frozenset({"order", "cake", "cakes"})
_ORDER_WORDS = _ORDER | {"another", "new", "one", "more", "place", "make", "get", "buy", "have"}
_PERSON = frozenset(
    {"person", "human", "someone", "somebody", "staff", "agent", "operator", "people"}
)
_PERSON_WORDS = _PERSON | {"talk", "speak", "chat", "with", "real", "some", "actual", "live"}
_HELP_WORDS = frozenset({"help", "need", "someone", "somebody", "us", "out"})
_CHANGE_WORDS = frozenset({"my", "order", "cake", "it", "this", "that", "number", "no"})
_MOVE = frozenset({"move", "reschedule", "postpone", "change"})
_MOVE_WORDS = _MOVE | {"pickup", "pick", "up", "time", "day", "date", "collection", "of"}


# "delete my data", "please erase my personal details", "forget me": anywhere in a message.
_FORGET_ME = re.compile(
    r"\b(?:(?:delete|erase|remove|wipe)\b.*\b(?:data|details|information|info|account)"
    r"|forget (?:me|about me|my))\b"
)


def intent(text: str) -> Intent | None:
    """The small talk or request a message is, when it is all of one (`thanks so much!`)."""
    answer = clean(text)
    if GREETING.fullmatch(answer):
        return Intent.GREETING
    if _FORGET_ME.search(answer):
        return Intent.FORGET_ME
    words = set(answer.split())
    numbers = {word for word in words if word.lstrip("#").isdigit()}
    for meaning, core, allowed in _MEANINGS:
        if (
            words & core
            and words - numbers <= allowed | _FILLER
            and (not numbers or meaning in _NUMBERED)
        ):
            return meaning
    return None


_MEANINGS: tuple[tuple[Intent, frozenset[str], frozenset[str]], ...] = (
    (Intent.BYE, _BYE, _BYE_WORDS | _THANKS_WORDS),
    (Intent.THANKS, _THANKS, _THANKS_WORDS),
    (Intent.PERSON, _PERSON, _PERSON_WORDS),
    (Intent.HELP_ME, frozenset({"help"}), _HELP_WORDS),
    (Intent.CANCEL_ORDER, frozenset({"cancel"}), _CHANGE_WORDS | {"cancel"}),
    (Intent.MOVE_ORDER, _MOVE, _MOVE_WORDS | _CHANGE_WORDS),
    (Intent.ORDER, _ORDER, _ORDER_WORDS),
)
_NUMBERED = frozenset({Intent.CANCEL_ORDER, Intent.MOVE_ORDER})


def order_number(text: str) -> int | None:
    """The one order number in a message ("#12", "order 12", "12"), if there is exactly one."""
    found = re.findall(r"(?<![\w#])#?(\d{1,9})\b", clean(text))
    return int(found[0]) if len(found) == 1 else None
