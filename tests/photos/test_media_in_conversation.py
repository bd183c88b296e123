"""Pictures and other attachments at every point of a conversation, through the signed webhook:
with words, while staff have the conversation, and at rest after an order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Conversation, Order
from cloudcity.handoff import hand_back
from cloudcity.outbox.worker import Worker
from tests.photos.test_photo_journey import MEDIA, ORDER, fetches, photos
from tests.support.admin import AuthActions
from tests.support.chat import Phone
from tests.support.clock import TUESDAY_10AM
from tests.support.media_host import MediaHost

TO_INSCRIPTION = ("hi", "large", "vanilla", "buttercream", "none", "1")
AGAIN = ("large", "vanilla", "buttercream", "none", "1", "no", "yes", "yes")  # details on file
CHOICES = "I can help you:\n1. Order a cake\n2. Check an order\n3. Talk to a person"


def orders(session: orm.Session) -> list[Order]:
    """Every order, oldest first, read fresh."""
    session.expire_all()
    found = list(session.scalars(sa.select(Order).order_by(Order.id)))
    session.commit()
    return found


def transcript(session: orm.Session, address: str) -> list[tuple[str, str]]:
    """The address's messages in order, as (direction, body), read fresh."""
    session.expire_all()
    query = sa.select(ChatMessage).where(ChatMessage.address == address)
    found = [(m.direction, m.body) for m in session.scalars(query.order_by(ChatMessage.id))]
    session.commit()
    return found


def test_a_caption_at_the_inscription_step_is_the_inscription(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    assert "Anything written on the cake?" in ana.order(*TO_INSCRIPTION)
    reply = ana.picture(api.serve(MEDIA), body="Happy 7th Bo")
    assert reply is not None
    assert reply.startswith("Got your picture — we'll show it to the baker.\n")
    assert "Written on it: \u201cHappy 7th Bo\u201d" in reply  # read back at the confirmation
    assert transcript(session, ana.address)[-2] == ("in", "(picture) Happy 7th Bo")
    assert "Done!" in ana.order("yes", "Ana", "ana@example.com")
    [order] = orders(session)
    assert order.inscription == "Happy 7th Bo"
    assert [photo.order_id for photo in photos(session)] == [order.id]


def test_a_note_sent_with_a_picture_is_kept_for_the_bakers(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    reply = ana.picture(api.serve(MEDIA), body="note: no nuts")
    assert reply is not None
    assert reply.startswith("Got your picture")
    assert "Noted for the bakers: \u201cno nuts\u201d" in reply
    assert "What size" in reply
    assert "Done!" in ana.order(*ORDER)
    [order] = orders(session)
    assert order.note == "no nuts"
    assert [photo.order_id for photo in photos(session)] == [order.id]


def test_a_caption_that_answers_nothing_is_a_note_and_no_miss(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    for _ in range(3):  # three misses in a row would bring "Stuck?"
        reply = ana.picture(api.serve(MEDIA), body="like this one, in blue")
        assert reply is not None
        assert "didn't catch that" not in reply
        assert "Stuck?" not in reply
        assert "What size" in reply
    assert "Noted for the bakers: \u201clike this one, in blue;" in reply
    assert "Done!" in ana.order(*ORDER)
    [order] = orders(session)
    assert order.note is not None and order.note.startswith("like this one, in blue")
    assert len(photos(session)) == 3


def test_a_first_message_with_a_picture_and_a_greeting_begins_the_order_with_it(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    reply = ana.picture(api.serve(MEDIA), body="Hi!")
    assert reply is not None
    assert reply.startswith("Got your picture — we'll show it to the baker.\nHi! Welcome")
    assert "What size" in reply
    assert "Done!" in ana.order(*ORDER)
    [order] = orders(session)
    assert [photo.order_id for photo in photos(session)] == [order.id]


def test_a_picture_during_a_handoff_is_fetched_for_staff_and_the_bot_stays_quiet(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session, database: Database
) -> None:
    ana = phone()
    ana.say("hi")
    assert "asked someone" in ana.say("talk to a person")
    assert ana.picture(api.serve(MEDIA)) is None
    assert ana.picture(api.serve(MEDIA), body="can you make this?") is None
    assert [photo.status for photo in photos(session)] == ["pending", "pending"]
    assert len(fetches(session)) == 2  # the worker downloads them as always
    assert transcript(session, ana.address)[-2:] == [
        ("in", "(picture)"),
        ("in", "(picture) can you make this?"),
    ]

    with database.unit_of_work() as uow:
        hand_back(uow=uow, address=ana.address, now=TUESDAY_10AM)
    assert "What size" in ana.say("I'd like a cake")
    assert "Done!" in ana.order(*ORDER[:-3], "yes", "Ana", "ana@example.com")
    [order] = orders(session)
    assert [photo.order_id for photo in photos(session)] == [order.id, order.id]


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/webp"], ids=["photo", "sticker"])
def test_a_picture_after_an_order_starts_none_and_waits_for_the_next(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session, content_type: str
) -> None:
    ana = phone()
    assert "Done!" in ana.order("hi", *ORDER)
    reply = ana.picture(api.serve(MEDIA), content_type=content_type)
    assert reply == f"Got your picture — order a cake and we'll show it to the baker.\n{CHOICES}"
    [photo] = photos(session)
    assert photo.order_id is None
    assert len(fetches(session)) == 1

    assert "What size" in ana.say("1")
    assert "Done!" in ana.order(*AGAIN)
    _, second = orders(session)
    assert [photo.order_id for photo in photos(session)] == [second.id]


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("audio/ogg", "Thanks! I can't listen to voice messages here, so please write to me."),
        ("application/pdf", "Sorry, I can only keep pictures"),
    ],
    ids=["voice note", "document"],
)
def test_an_attachment_after_an_order_gets_the_three_choices(
    phone: Callable[..., Phone],
    api: MediaHost,
    session: orm.Session,
    content_type: str,
    said: str,
) -> None:
    ana = phone()
    assert "Done!" in ana.order("hi", *ORDER)
    reply = ana.picture(api.serve(MEDIA), content_type=content_type)
    assert reply is not None
    assert reply.startswith(said)
    assert reply.endswith(CHOICES)
    assert "What size" not in reply
    assert photos(session) == []
    assert transcript(session, ana.address)[-2] == ("in", "(attachment)")
    assert "Your order" in ana.say("2")  # the choices offered are answered by number
    assert len(orders(session)) == 1


def test_an_empty_message_after_an_order_gets_the_three_choices(
    phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana = phone()
    assert "Done!" in ana.order("hi", *ORDER)
    reply = ana.send("")
    assert reply == f"Thanks! I can only read text here, so please answer in words.\n{CHOICES}"
    assert "What size" in ana.say("1")


def test_a_picture_sent_to_staff_shows_beside_the_conversation(
    phone: Callable[..., Phone],
    api: MediaHost,
    worker: Worker,
    session: orm.Session,
    client: FlaskClient,
    auth: AuthActions,
) -> None:
    ana = phone()
    ana.say("hi")
    ana.say("talk to a person")
    ana.picture(api.serve(MEDIA), body="can you make this?")
    worker.run_once()
    [stored] = photos(session)
    assert (stored.status, stored.order_id) == ("stored", None)  # on no order yet

    auth.login()
    assert client.get("/admin/inbox/waiting.json").get_json() == {"waiting": 1}
    conversation = session.scalars(sa.select(Conversation.id)).one()
    session.commit()
    page = client.get(f"/admin/inbox/{conversation}").get_data(as_text=True)
    assert "Pictures they sent" in page
    assert f'src="/admin/photos/{stored.id}"' in page
    with client.get(f"/admin/photos/{stored.id}") as picture:  # closes the file it sends
        assert picture.status_code == 200
