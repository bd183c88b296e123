"""A customer's picture from the webhook to the baker's screens, through the outbox worker."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.config import Settings
from cloudcity.db.models import Order, OutboxMessage, ReferencePhoto
from cloudcity.outbox.queue import FETCH_PHOTO
from cloudcity.outbox.status import FAILED, RETRY, SENT
from cloudcity.outbox.worker import Worker
from tests.support.admin import AuthActions
from tests.support.chat import Phone, signed_post
from tests.support.media_host import JPEG, MediaHost, Served

MEDIA = "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
ORDER = ("large", "vanilla", "buttercream", "none", "1", "no", "yes", "Ana", "ana@example.com")


def photos(session: orm.Session) -> list[ReferencePhoto]:
    """Every photo row, read fresh."""
    session.expire_all()
    found = list(session.scalars(sa.select(ReferencePhoto).order_by(ReferencePhoto.id)))
    session.commit()
    return found


def fetches(session: orm.Session) -> list[OutboxMessage]:
    """Every fetch_photo outbox row, read fresh."""
    session.expire_all()
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == FETCH_PHOTO)
    found = list(session.scalars(query))
    session.commit()
    return found


def test_a_picture_reaches_the_order_page_and_the_schedule(
    phone: Callable[..., Phone],
    api: MediaHost,
    cdn: MediaHost,
    worker: Worker,
    session: orm.Session,
    client: FlaskClient,
    auth: AuthActions,
    settings: Settings,
) -> None:
    ana = phone()
    ana.say("hi")
    url = api.redirect(MEDIA, cdn.serve("/signed/1?Expires=9"))
    reply = ana.picture(url, body="like this one")
    assert reply is not None
    assert reply.startswith("Got your picture — we'll show it to the baker.")
    assert "What size" in reply  # the question, asked again
    assert api.seen == []  # nothing downloaded in the request
    [pending] = photos(session)
    assert (pending.status, pending.order_id, pending.media_url) == ("pending", None, url)
    assert len(fetches(session)) == 1

    assert "Done!" in ana.order(*ORDER)
    order = session.scalars(sa.select(Order)).one()
    session.commit()
    worker.run_once()

    [stored] = photos(session)
    assert (stored.status, stored.order_id, stored.size_bytes) == ("stored", order.id, len(JPEG))
    assert stored.stored_path is not None
    assert not {"ME1", "MM1", "AC1", "signed"} & set(stored.stored_path.split("."))
    assert (settings.photo_folder / stored.stored_path).read_bytes() == JPEG
    assert [(row.status, row.order_id) for row in fetches(session)] == [(SENT, order.id)]

    auth.login()
    link = f"/admin/photos/{stored.id}"
    assert f'src="{link}"' in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert order.pickup_at is not None
    day = order.pickup_at.astimezone(ZoneInfo(settings.time_zone)).date().isoformat()
    assert link in client.get(f"/admin/schedule?day={day}").get_data(as_text=True)
    with client.get(link) as picture:
        assert picture.status_code == 200
        assert picture.mimetype == "image/jpeg"
        assert picture.headers["X-Content-Type-Options"] == "nosniff"
        assert picture.data == JPEG


def test_a_media_url_on_another_host_is_refused_at_once(
    phone: Callable[..., Phone], elsewhere: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    reply = ana.picture(elsewhere.serve(MEDIA))
    assert reply is not None
    assert "couldn't take that picture" in reply
    [refused] = photos(session)
    assert refused.status == "refused"
    assert refused.error is not None and "not one of Twilio's media hosts" in refused.error
    assert fetches(session) == []
    assert elsewhere.seen == []


def test_what_is_no_picture_is_not_kept(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    reply = ana.picture(api.serve(MEDIA), content_type="application/pdf")
    assert reply is not None
    assert "only keep pictures" in reply
    assert "What size" in reply
    assert photos(session) == []


@pytest.mark.parametrize(
    ("served", "status", "error", "outbox"),
    [
        (Served(body=b"MZ\x90\x00 an executable"), "refused", "not a picture", FAILED),
        (Served(502, b"bad gateway", {}), "pending", "HTTP 502", RETRY),
        (Served(401, b"", {}), "pending", "TWILIO_AUTH_TOKEN", FAILED),  # retried from Deliveries
    ],
    ids=["no image: refused, not retried", "network: retried", "credentials: what to fix"],
)
def test_what_a_failed_download_leaves(
    phone: Callable[..., Phone],
    api: MediaHost,
    worker: Worker,
    session: orm.Session,
    served: Served,
    status: str,
    error: str,
    outbox: str,
) -> None:
    ana = phone()
    ana.say("hi")
    ana.picture(api.serve(MEDIA, served))
    worker.run_once()
    [photo] = photos(session)
    assert photo.status == status
    assert photo.error is not None and error in photo.error
    assert [row.status for row in fetches(session)] == [outbox]


def test_at_most_five_pictures_an_order(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    for _ in range(5):
        assert "Got your picture" in (ana.picture(api.serve(MEDIA)) or "")
    assert "all the baker can use" in (ana.picture(api.serve(MEDIA)) or "")
    assert len(photos(session)) == 5


def test_a_cancelled_conversation_does_not_give_its_pictures_to_the_next_order(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    ana.picture(api.serve(MEDIA))
    ana.say("cancel")
    assert "Done!" in ana.order("hi", *ORDER)
    assert [photo.order_id for photo in photos(session)] == [None]


def test_twilio_sending_a_picture_again_records_it_once(
    phone: Callable[..., Phone], api: MediaHost, session: orm.Session
) -> None:
    ana = phone()
    ana.say("hi")
    params = ana.params("", media=1)
    params["MediaUrl0"] = api.serve(MEDIA)
    first, again = signed_post(ana.client, params), signed_post(ana.client, params)
    assert first == again
    assert len(photos(session)) == 1
    assert len(fetches(session)) == 1
