"""The one set of rules for what a customer writes on an order (cloudcity.order_text)."""

from __future__ import annotations

import pytest

from cloudcity.order_text import NOTE_MAX, TextRefused, inscription, note, visible_length

PIPEABLE = {
    "latin": "Happy Birthday, Anna!",
    "accents": "Joyeux anniversaire Zoë & Chloé",
    "hebrew": "יום הולדת שמח",
    "arabic": "عيد ميلاد سعيد",
    "persian, non-joiner": "\u062a\u0648\u0644\u062f\u062a\u200c\u0645\u0628\u0627\u0631\u06a9",
    "devanagari": "जन्मदिन मुबारक",
    "chinese": "生日快乐",
    "ascii signs": "<3 Mum + Dad = 40! (#1) $5 50% ~ok~",
    "currency": "£10 €20 ¥30",
    "quotes": "Say \u201ccheese\u201d 'now' \"ok\"",
}


@pytest.mark.parametrize("words", PIPEABLE.values(), ids=PIPEABLE.keys())
def test_letters_digits_and_punctuation_of_any_language_are_pipeable(words: str) -> None:
    assert inscription(words, limit=40) == words


UNPIPEABLE = {
    "emoji": "Happy 🎂",
    "emoji with a variation selector": "I ❤️ you",
    "keycap emoji": "1️⃣",
    "flag": "🇬🇧",
    "skin tone": "👍🏽",
    "pictograph": "★ star",
    "bidi override": "\u202eabc",
    "private use": "\ue000",
    "tag characters": "a\U000e0061",
    "zero-width space": "a\u200bb",
}


@pytest.mark.parametrize("words", UNPIPEABLE.values(), ids=UNPIPEABLE.keys())
def test_what_nobody_can_pipe_is_refused(words: str) -> None:
    with pytest.raises(TextRefused, match=r"Sorry, we can't pipe .+ on a cake"):
        inscription(words, limit=40)


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b[31m", "\x85", "\ud800"])
def test_control_characters_are_refused_as_text_py_defines_them(control: str) -> None:
    with pytest.raises(TextRefused, match="invisible control characters"):
        inscription(f"Hi{control}", limit=40)
    with pytest.raises(TextRefused, match="invisible control characters"):
        note(f"no nuts{control}")


def test_the_text_is_tidied_to_what_is_piped() -> None:
    assert inscription("  Happy\tbirthday\n\n Bo  ", limit=40) == "Happy birthday Bo"
    assert inscription("Zoe\u0308", limit=40) == "Zoë"  # NFC: one letter, as typed on a phone
    assert inscription(" \n ", limit=40) is None


def test_the_limit_counts_what_a_reader_sees() -> None:
    assert visible_length("e\u0301" * 3) == 3
    assert visible_length("तुम") == 2  # the vowel sign is a mark on its letter
    assert inscription("x" * 12, limit=12) == "x" * 12
    with pytest.raises(TextRefused, match="That's 13 characters and we can fit 12"):
        inscription("x" * 13, limit=12)


def test_a_note_is_free_text_up_to_its_length() -> None:
    assert note("  no nuts,\nplease 🙏 ") == "no nuts, please 🙏"
    assert note("") is None
    assert note("n" * NOTE_MAX) == "n" * NOTE_MAX
    with pytest.raises(TextRefused, match="500 characters"):
        note("n" * (NOTE_MAX + 1))
