"""Answer matching: pure functions, no database."""

from __future__ import annotations

import pytest

from cloudcity.chat.matching import (
    Intent,
    Keyword,
    Match,
    intent,
    is_opt_in,
    keyword,
    match_choice,
    order_number,
    person_name,
    yes_or_no,
)

SIZES = ["Small", "Medium", "Large"]
FLAVOURS = ["Vanilla", "Chocolate", "Red Velvet", "Lemon", "Carrot", "Strawberry"]
FROSTINGS = ["Buttercream", "Cream Cheese", "Chocolate Ganache", "Whipped Cream"]


@pytest.mark.parametrize(
    ("answer", "choices", "expected"),
    [
        ("Large", SIZES, "Large"),
        ("  lArGe ", SIZES, "Large"),
        ("large!", SIZES, "Large"),
        ("2", SIZES, "Medium"),
        ("#3", SIZES, "Large"),
        ("number 1", SIZES, "Small"),
        ("a large one please", SIZES, "Large"),
        ("vanila", FLAVOURS, "Vanilla"),
        ("choclate", FLAVOURS, "Chocolate"),
        ("redvelvet", FLAVOURS, "Red Velvet"),
        ("red   VELVET", FLAVOURS, "Red Velvet"),
        ("red velvit", FLAVOURS, "Red Velvet"),
        ("velvet", FLAVOURS, "Red Velvet"),
        ("ganache", FROSTINGS, "Chocolate Ganache"),
        ("cream cheese", FROSTINGS, "Cream Cheese"),
        ("whiped cream", FROSTINGS, "Whipped Cream"),
    ],
)
def test_an_answer_picks_a_choice(answer: str, choices: list[str], expected: str) -> None:
    assert match_choice(answer, choices) == Match(expected)


@pytest.mark.parametrize(
    ("answer", "choices"),
    [
        ("", SIZES),
        ("   ", SIZES),
        ("4", SIZES),
        ("0", SIZES),
        ("huge", SIZES),
        ("pistachio", FLAVOURS),
        ("banana", FLAVOURS),
        ("anything", []),
    ],
)
def test_an_unknown_answer_picks_nothing(answer: str, choices: list[str]) -> None:
    assert match_choice(answer, choices).choice is None


def test_an_ambiguous_word_names_its_candidates() -> None:
    found = match_choice("cream", FROSTINGS)
    assert found.choice is None
    assert set(found.candidates) == {"Cream Cheese", "Whipped Cream"}


def test_an_ambiguous_typo_picks_nothing() -> None:  # as close to Mango as to Manga
    found = match_choice("mangu", ["Mango", "Manga", "Melon"])
    assert found.choice is None


def test_two_names_in_one_answer_are_ambiguous() -> None:
    found = match_choice("vanilla and chocolate", FLAVOURS)
    assert found.choice is None
    assert found.candidates == ("Vanilla", "Chocolate")


@pytest.mark.parametrize(
    "answer",
    ["yes", "Y", "yeah", "Yep!", "sure", "ok", "OKAY", "please", "definitely", "yes please"],
)
def test_yes(answer: str) -> None:
    assert yes_or_no(answer) is True


@pytest.mark.parametrize("answer", ["no", "N", "nope", "nah", "no thanks", "No."])
def test_no(answer: str) -> None:
    assert yes_or_no(answer) is False


@pytest.mark.parametrize("answer", ["", "maybe", "yes no", "large", "not now"])
def test_neither_yes_nor_no(answer: str) -> None:
    assert yes_or_no(answer) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RESTART", Keyword.RESTART),
        ("start over", Keyword.RESTART),
        (" Start  Over! ", Keyword.RESTART),
        ("cancel", Keyword.CANCEL),
        ("Help", Keyword.HELP),
        ("menu", Keyword.MENU),
        ("status?", Keyword.STATUS),
        ("STOP", Keyword.OPT_OUT),
        ("stopall", Keyword.OPT_OUT),
        ("Unsubscribe", Keyword.OPT_OUT),
        ("end", Keyword.OPT_OUT),
        ("quit", Keyword.OPT_OUT),
        ("revoke", Keyword.OPT_OUT),
        ("optout", Keyword.OPT_OUT),
        ("large", None),
        ("help me with the menu", None),
    ],
)
def test_keywords(text: str, expected: Keyword | None) -> None:
    assert keyword(text) is expected


@pytest.mark.parametrize(("text", "expected"), [("START", True), ("unstop", True), ("Yes", True)])
def test_opt_in_words(text: str, expected: bool) -> None:
    assert is_opt_in(text) is expected
    assert is_opt_in("hello") is False


def test_person_name() -> None:
    assert person_name("  Ana   María ") == "Ana María"
    assert person_name("") is None
    assert person_name("1234") is None
    assert person_name("x" * 101) is None


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("hi", Intent.GREETING),
        ("Hello again!", Intent.GREETING),
        ("Good morning", Intent.GREETING),
        ("Thank you!", Intent.THANKS),
        ("thanks so much", Intent.THANKS),
        ("thanks, bye", Intent.BYE),
        ("see you", Intent.BYE),
        ("I'd like another cake", Intent.ORDER),
        ("new order", Intent.ORDER),
        ("talk to a person", Intent.PERSON),
        ("Can I speak to someone please?", Intent.PERSON),
        ("agent", Intent.PERSON),
        ("help me", Intent.HELP_ME),
        ("cancel order #12", Intent.CANCEL_ORDER),
        ("change my pickup time", Intent.MOVE_ORDER),
        ("when can I pick it up?", None),
        ("Large", None),
        ("order 12", None),
        ("Ana Lima", None),
    ],
)
def test_intents(text: str, meaning: Intent | None) -> None:
    assert intent(text) is meaning


@pytest.mark.parametrize(
    ("text", "number"),
    [("cancel #12", 12), ("order 12 please", 12), ("12", 12), ("1 and 2", None), ("no", None)],
)
def test_order_numbers(text: str, number: int | None) -> None:
    assert order_number(text) == number
