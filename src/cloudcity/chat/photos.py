"""Pictures sent while ordering ("like this one"): kept for the baker, the question asked again."""

from __future__ import annotations

from collections.abc import Sequence

from cloudcity.chat import engine, wording
from cloudcity.chat.engine import Turn
from cloudcity.photos import Media, record_photo

MAX_PHOTOS = 5  # per order: enough to show a baker an idea, too few to fill a disk


def on_media(turn: Turn, media: Sequence[Media], *, origins: tuple[str, ...], hello: str) -> str:
    """Record the pictures among `media` and answer at once; the worker downloads them later."""
    images = [item for item in media if item.is_image]
    opening = ""
    if turn.conversation.step == engine.START:
        # A picture may open the conversation: begin it first (that forgets any older one).
        opening = "\n" + engine.begin(turn, hello)
    if not images:
        return _reply(turn, wording.NOT_A_PICTURE, opening)
    kept = engine.photo_ids(turn)
    room = MAX_PHOTOS - len(kept)
    if room <= 0:
        return _reply(turn, wording.ENOUGH_PICTURES.format(count=MAX_PHOTOS), opening)
    recorded = [
        record_photo(
            uow=turn.uow, address=turn.address.twilio, media=item, origins=origins, now=turn.now
        )
        for item in images[:room]
    ]
    turn.remember(**{engine.PHOTOS: kept + [photo.photo_id for photo in recorded]})
    accepted = sum(1 for photo in recorded if photo.refused is None)
    return _reply(turn, wording.got_pictures(accepted), opening)


def _reply(turn: Turn, text: str, opening: str) -> str:
    return f"{text}{opening}" if opening else f"{text}\n{engine.prompt(turn)}"
