"""Pictures sent while ordering ("like this one"): kept for the baker, the question asked again."""

from __future__ import annotations

from collections.abc import Sequence

from cloudcity.chat import engine, wording
from cloudcity.chat.engine import OPTIONS, REST, Turn
from cloudcity.photos import Media, record_photo

MAX_PHOTOS = 5  # per order: enough to show a baker an idea, too few to fill a disk


def on_media(turn: Turn, media: Sequence[Media], *, origins: tuple[str, ...], hello: str) -> str:
    """Record the pictures among `media` and answer at once; the worker downloads them later.

    A new conversation begins an order with them; one at rest after an order keeps them for
    the next order and offers the three choices (a sticker or a voice note orders nothing).
    """
    if engine.is_resting(turn):
        return f"{keep(turn, media, origins=origins, resting=True)}\n{offer_choices(turn)}"
    opening = ""
    if turn.conversation.step == engine.START:
        # A picture may open the conversation: begin it first (that forgets any older one).
        opening = "\n" + engine.begin(turn, hello)
    said = keep(turn, media, origins=origins)
    return f"{said}{opening}" if opening else f"{said}\n{engine.prompt(turn)}"


def keep(
    turn: Turn, media: Sequence[Media], *, origins: tuple[str, ...], resting: bool = False
) -> str:
    """Record the pictures among `media` for this conversation's order; what to say about them.

    The worker downloads them later; the order placed from this conversation takes them.
    """
    images = [item for item in media if item.is_image]
    if not images:
        return not_a_picture(media)
    kept = engine.photo_ids(turn)
    room = MAX_PHOTOS - len(kept)
    if room <= 0:
        return wording.ENOUGH_PICTURES.format(count=MAX_PHOTOS)
    recorded = [
        record_photo(
            uow=turn.uow, address=turn.address.twilio, media=item, origins=origins, now=turn.now
        )
        for item in images[:room]
    ]
    turn.remember(**{engine.PHOTOS: kept + [photo.photo_id for photo in recorded]})
    accepted = sum(1 for photo in recorded if photo.refused is None)
    return wording.got_pictures(accepted, resting=resting)


def not_a_picture(media: Sequence[Media]) -> str:
    """What to say about attachments that are no pictures: a voice note is named as one."""
    voice = any((item.content_type or "").lower().startswith("audio/") for item in media)
    return wording.NOT_A_VOICE if voice else wording.NOT_A_PICTURE


def offer_choices(turn: Turn) -> str:
    """At rest: offer to order, to check an order, or a person (a number answers)."""
    turn.remember(**{REST: OPTIONS})
    return wording.OPTIONS
