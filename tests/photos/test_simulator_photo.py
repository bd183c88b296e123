"""The chat simulator sends a picture from the computer: stored at once, then the same chat."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm
from werkzeug.test import TestResponse

from cloudcity.config import Settings
from cloudcity.db.models import Order, OutboxMessage, ReferencePhoto
from cloudcity.outbox.queue import FETCH_PHOTO
from tests.photos.conftest import MAX_BYTES
from tests.support.admin import AuthActions
from tests.support.media_host import PNG

ORIGIN = {"Origin": "http://localhost"}
SENDER = "whatsapp:+14155550100"
ORDER = ["large", "vanilla", "buttercream", "none", "1", "no", "yes", "Ada", "ada@example.com"]


def say(client: FlaskClient, body: str) -> TestResponse:
    return client.post("/dev/chat/send", json={"from": SENDER, "body": body}, headers=ORIGIN)


def upload(
    client: FlaskClient, data: bytes, content_type: str = "image/png", **headers: str
) -> TestResponse:
    return client.post(
        "/dev/chat/photo",
        query_string={"from": SENDER},
        data=data,
        headers={**ORIGIN, "Content-Type": content_type, **headers},
    )


def test_a_picture_from_the_computer_goes_with_the_order(
    client: FlaskClient, session: orm.Session, settings: Settings, auth: AuthActions
) -> None:
    say(client, "hi")
    answer = upload(client, PNG)
    assert answer.status_code == 200
    [reply] = answer.get_json()["replies"]
    assert reply.startswith("Got your picture")
    assert "What size" in reply
    for line in ORDER:
        say(client, line)
    order = session.scalars(sa.select(Order)).one()
    photo = session.scalars(sa.select(ReferencePhoto)).one()
    assert (photo.status, photo.order_id, photo.content_type) == ("stored", order.id, "image/png")
    assert photo.stored_path is not None
    assert (settings.photo_folder / photo.stored_path).read_bytes() == PNG
    fetches = sa.select(OutboxMessage).where(OutboxMessage.kind == FETCH_PHOTO)
    assert session.scalars(fetches).all() == []  # nothing to download
    session.commit()
    auth.login()
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert f'src="/admin/photos/{photo.id}"' in page


def test_the_simulator_refuses_what_is_no_picture(client: FlaskClient) -> None:
    assert upload(client, b"%PDF-1.7 not a picture").status_code == 422
    assert upload(client, PNG, content_type="text/plain").status_code == 415
    assert upload(client, PNG, content_type="application/json").status_code == 415


def test_the_simulator_refuses_a_picture_over_the_limit(client: FlaskClient) -> None:
    answer = upload(client, PNG + bytes(MAX_BYTES))
    assert answer.status_code == 413
    assert answer.is_json


def test_the_simulator_takes_pictures_from_its_own_page_only(client: FlaskClient) -> None:
    answer = client.post(
        "/dev/chat/photo",
        query_string={"from": SENDER},
        data=PNG,
        headers={"Origin": "https://evil.example", "Content-Type": "image/png"},
    )
    assert answer.status_code == 403
