"""A baker edits an order still being baked: priced afresh, on the timeline, customer told once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity import menu_admin
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import Order, OrderEvent, OutboxMessage
from cloudcity.domain import OptionKind
from tests.support.admin import AuthActions, deliver_all, place

FORM = {
    "size": "Small",
    "flavour": "Vanilla",
    "frosting": "Buttercream",
    "topping": "Sprinkles",
    "inscription": "",
    "name": "Anna Lee",
    "email": "anna@example.com",
}


@pytest.fixture
def order_id(session: orm.Session, auth: AuthActions) -> int:
    """A placed Small Vanilla order, logged in."""
    found = place(session)
    auth.login()
    return found.id


def edit(client: FlaskClient, auth: AuthActions, order_id: int, **changes: str) -> str:
    response = auth.post(f"/admin/orders/{order_id}/edit", data=FORM | changes)
    if response.status_code == 422:  # refused: the form again, the reason beside its field
        return response.get_data(as_text=True)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def order_row(session: orm.Session, order_id: int) -> Order:
    session.rollback()  # a new snapshot: SQLite keeps the old one for an open transaction
    order = session.get(Order, order_id)
    assert order is not None
    return order


def changed_messages(session: orm.Session) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == "order_changed")
    found = list(session.scalars(query))
    session.commit()
    return found


def test_a_bigger_cake_is_priced_again_and_the_customer_told_once(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    before = order_row(session, order_id)
    small_cents, size_cents = before.price_cents, before.size_cents

    page = edit(client, auth, order_id, size="Large", inscription="Happy 7th, Zoë!")

    assert "the customer will be told what changed" in page
    order = order_row(session, order_id)
    assert (order.size, order.inscription) == ("Large", "Happy 7th, Zoë!")
    assert order.size_cents is not None and size_cents is not None
    assert order.size_cents > size_cents
    assert order.price_cents == small_cents - size_cents + order.size_cents
    [message] = changed_messages(session)
    assert message.payload["changes"][0] == "size: Large (was Small)"
    assert "Edited" in page or "edited" in page
    events = session.scalars(sa.select(OrderEvent.kind).where(OrderEvent.order_id == order_id))
    assert "edited" in list(events)


def test_nothing_changed_sends_nothing(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    page = edit(client, auth, order_id)
    assert "nothing to change" in page
    assert changed_messages(session) == []


def test_two_edits_send_two_messages(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    edit(client, auth, order_id, flavour="Chocolate")
    edit(client, auth, order_id, flavour="Lemon", name="Anna Lopez")
    assert len(changed_messages(session)) == 2
    order = order_row(session, order_id)
    assert (order.flavour, order.customer.name) == ("Lemon", "Anna Lopez")


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("size", "Enormous", "not on the menu"),
        ("inscription", "Happy \U0001f382", "Not changed"),
        ("email", "not-an-email", "Not changed"),
    ],
)
def test_bad_input_changes_nothing(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    order_id: int,
    field: str,
    value: str,
    why: str,
) -> None:
    page = edit(client, auth, order_id, **{field: value})
    assert why in page
    order = order_row(session, order_id)
    assert (order.size, order.inscription, order.customer.email) == (
        "Small",
        None,
        "anna@example.com",
    )
    assert changed_messages(session) == []


def test_an_order_marked_ready_can_no_longer_be_edited(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    auth.post(f"/admin/orders/{order_id}/ready")
    page = edit(client, auth, order_id, size="Large")
    assert "be edited now" in page
    assert order_row(session, order_id).size == "Small"


@pytest.mark.usefixtures("csrf")
def test_editing_needs_the_csrf_token(
    client: FlaskClient, session: orm.Session, order_id: int
) -> None:
    response = client.post(f"/admin/orders/{order_id}/edit", data=FORM | {"size": "Large"})
    assert response.status_code == 400
    assert order_row(session, order_id).size == "Small"


def test_editing_needs_a_login(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    auth.logout()
    response = client.post(f"/admin/orders/{order_id}/edit", data=FORM | {"size": "Large"})
    assert response.status_code in (302, 401)
    assert order_row(session, order_id).size == "Small"


def change_menu(database: Database, kind: OptionKind, name: str, **how: int | bool) -> None:
    """Reprice (`price_cents=`) or switch off (`active=False`) one option, as the menu page does."""
    with database.unit_of_work() as uow:
        [option] = [
            o for o in uow.menu.options(only_active=False) if (o.kind, o.name) == (kind, name)
        ]
        if "price_cents" in how:
            menu_admin.update_option(
                uow=uow, option_id=option.id, name=name, price_cents=int(how["price_cents"])
            )
        if "active" in how:
            menu_admin.set_active(uow=uow, option_id=option.id, active=bool(how["active"]))


def test_only_the_inscription_changed_keeps_the_price_agreed(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, database: Database
) -> None:
    agreed = order_row(session, order_id).price_cents
    change_menu(database, OptionKind.FLAVOUR, "Vanilla", price_cents=9_900)

    edit(client, auth, order_id, inscription="Congrats", name="Anna Lopez")

    order = order_row(session, order_id)
    assert (order.inscription, order.price_cents) == ("Congrats", agreed)
    [message] = changed_messages(session)
    assert not any("total" in change for change in message.payload["changes"])


def test_an_order_whose_flavour_was_switched_off_can_still_be_corrected(
    client: FlaskClient, auth: AuthActions, session: orm.Session, order_id: int, database: Database
) -> None:
    change_menu(database, OptionKind.FLAVOUR, "Vanilla", active=False)
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "<option selected>Vanilla</option>" in page  # still chosen, though off the menu

    edit(client, auth, order_id, inscription="Congrats", email="anna.lee@example.com")
    order = order_row(session, order_id)
    assert (order.flavour, order.inscription) == ("Vanilla", "Congrats")
    assert order.customer.email == "anna.lee@example.com"

    edit(client, auth, order_id, inscription="Congrats", size="Medium")  # keeps its flavour
    assert (order_row(session, order_id).size, order_row(session, order_id).flavour) == (
        "Medium",
        "Vanilla",
    )
    page = edit(client, auth, order_id, flavour="Vanilla", topping="Nothing like it")
    assert "not on the menu" in page  # a new choice must still be on the menu


def test_the_customer_reads_what_changed_and_the_new_total(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    database: Database,
    settings: Settings,
) -> None:
    order = place(session, name="Ana Ruiz", phone="+14155550111", email="")
    auth.login()
    deliver_all(database, settings)  # the receipt, out of the way

    edit(client, auth, order.id, size="Large", name="Ana Ruiz", email="", inscription="Hi Ana")

    [text] = deliver_all(database, settings).texts
    assert text.to == "+14155550111"
    assert text.body == (
        f"Hi Ana, we've updated your cake order #{order.id}: size: Large (was Small); "
        "written on the cake: \u201cHi Ana\u201d; new total: $43.00 (was $21.00). If that "
        "isn't right, reply here or call us on +14155550123. \u2014 Cloud City Cake Company"
    )
