"""Allergens in the menu editor; a change reaches chat, /api/menu, landing and receipt at once."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import orm

from cloudcity.clock import system_clock
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.models import MenuOption
from cloudcity.domain import OptionKind
from cloudcity.outbox.dispatch import Dispatcher
from cloudcity.outbox.receipts import DocumentsRenderer
from cloudcity.outbox.worker import Worker
from tests.documents.conftest import pdf_text
from tests.support.admin import AuthActions
from tests.support.chat import Phone
from tests.support.fakes import FakeEmailSender, FakeMessageSender

A4, LETTER = (595, 842), (612, 792)  # in points
CARROT_CAKE = {"size": "Small", "flavour": "Carrot", "frosting": "Buttercream", "topping": "None"}


def option_id(session: orm.Session, kind: OptionKind, name: str) -> int:
    """The id of an option (the read transaction ended, so the app can write)."""
    query = sa.select(MenuOption.id).where(MenuOption.kind == kind, MenuOption.name == name)
    found = session.scalars(query).one()
    session.commit()
    return found


def stored(session: orm.Session, kind: OptionKind, name: str) -> tuple[str, str]:
    """An option's stored allergens and may-contain note, read fresh."""
    session.expire_all()
    query = sa.select(MenuOption.allergens, MenuOption.may_contain).where(
        MenuOption.kind == kind, MenuOption.name == name
    )
    row = session.execute(query).one()
    session.commit()
    return row[0], row[1]


def api_option(client: FlaskClient, kind: str, name: str) -> dict[str, object]:
    """One option as GET /api/menu shows it."""
    answer = client.get("/api/menu")
    assert answer.status_code == 200
    [found] = [option for option in answer.json[kind] if option["name"] == name]
    return dict(found)


def send_receipts(database: Database, settings: Settings) -> FakeEmailSender:
    """Run the worker once over the outbox; the emails it sent."""
    email = FakeEmailSender()
    renderer = DocumentsRenderer()
    dispatcher = Dispatcher(
        email=email, messages=FakeMessageSender(), renderer=renderer, settings=settings
    )
    Worker(database, dispatcher, settings, clock=system_clock, lease=60.0).run_once()
    return email


def test_the_seeded_menu_has_honest_allergens(client: FlaskClient) -> None:
    menu = client.get("/api/menu").json
    assert menu["currency"] == "USD"
    carrot = api_option(client, "flavour", "Carrot")
    assert carrot == {
        "key": "carrot",
        "name": "Carrot",
        "price_cents": 200,
        "price": "$2.00",
        "allergens": ["gluten", "eggs", "milk", "tree_nuts"],
        "may_contain": "",
    }
    assert api_option(client, "size", "Small")["allergens"] == []
    assert api_option(client, "frosting", "Chocolate Ganache")["allergens"] == ["soybeans", "milk"]
    assert api_option(client, "topping", "Toasted Coconut")["may_contain"] == "peanuts, tree nuts"
    # The Studio endpoint keeps its shape: names only.
    assert client.get("/api/flavours").json["flavour"][:2] == ["Vanilla", "Chocolate"]


def test_an_edit_reaches_chat_api_and_a_new_receipt_at_once(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    database: Database,
    settings: Settings,
) -> None:
    ana = Phone(client, "whatsapp:+14155550100")
    ana.say("hi")
    assert "Buttercream (milk)" in ana.say("menu")
    auth.login()
    buttercream = option_id(session, OptionKind.FROSTING, "Buttercream")
    saved = client.post(
        f"/admin/menu/{buttercream}/allergens",
        data={"allergens": ["milk", "eggs"], "may_contain": "  traces of  sesame "},
    )
    assert saved.status_code == 303
    assert stored(session, OptionKind.FROSTING, "Buttercream") == ("eggs,milk", "traces of sesame")

    assert "Buttercream (eggs, milk; may contain traces of sesame)" in ana.say("menu")
    option = api_option(client, "frosting", "Buttercream")
    assert (option["allergens"], option["may_contain"]) == (["eggs", "milk"], "traces of sesame")
    landing = client.get("/").get_data(as_text=True)
    assert "Contains eggs, milk. May contain traces of sesame." in landing
    order = {"customer": {"number": "+14155550100", "name": "Ana", "email": "ana@example.com"}}
    placed = client.post("/api/order", json={**order, "cake": CARROT_CAKE})
    assert placed.status_code == 201, placed.json
    [sent] = send_receipts(database, settings).sent
    contains = "Contains: gluten, eggs, milk, tree nuts"
    assert f"{contains}\nMay contain: traces of sesame\n" in sent.text
    invoice = sent.attachments[0].content
    assert f"{contains} May contain: traces of sesame" in pdf_text(invoice)
    assert page_points(invoice) == LETTER  # the shop's phone is American


def test_the_receipt_breaks_the_price_down_on_the_shops_paper(
    client: FlaskClient, database: Database, settings: Settings
) -> None:
    order = {"customer": {"number": "+14155550100", "name": "Ana", "email": "ana@example.com"}}
    cake = {**CARROT_CAKE, "size": "Large", "frosting": "Cream Cheese", "topping": "Sprinkles"}
    assert client.post("/api/order", json={**order, "cake": cake}).status_code == 201
    uk = settings.model_copy(update={"shop_phone": "+442071838750"})
    [sent] = send_receipts(database, uk).sent
    for line in (
        "- Size: Large, $42.00",
        "- Flavour: Carrot, $2.00",
        "- Topping: Sprinkles, $1.00",
    ):
        assert line in sent.text
    assert "Total: $47.00" in sent.text
    assert "|" not in sent.text
    invoice = sent.attachments[0].content
    assert "Frosting: Cream Cheese $2.00 Topping: Sprinkles $1.00 Total (USD) $47.00" in pdf_text(
        invoice
    )
    assert page_points(invoice) == A4


def page_points(pdf: bytes) -> tuple[int, int]:
    """The first page's width and height in points, rounded."""
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_editor_shows_ticked_boxes_and_the_note(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    page = client.get("/admin/menu").get_data(as_text=True)
    assert page.count('name="allergens" value="tree_nuts"') == 19  # one box per option
    assert 'value="tree_nuts" checked> tree nuts' in page
    assert "Allergens of Carrot:\n              gluten, eggs, milk, tree nuts" in page
    assert 'name="may_contain" maxlength="200"' in page


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"allergens": ["gluten", "nuts"]}, "&#39;nuts&#39; is not one of the 14 allergens"),
        ({"allergens": ["milk"], "may_contain": "x" * 201}, "under 201 characters"),
    ],
    ids=["unknown allergen", "long note"],
)
def test_bad_allergens_are_refused_and_change_nothing(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    form: dict[str, object],
    error: str,
) -> None:
    auth.login()
    lemon = option_id(session, OptionKind.FLAVOUR, "Lemon")
    before = stored(session, OptionKind.FLAVOUR, "Lemon")
    refused = client.post(f"/admin/menu/{lemon}/allergens", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert error in page
    assert "<details open>\n            <summary>Allergens of Lemon" in page
    # The form posts to its own #anchor: the refused page opens where the baker was.
    assert f'id="allergens-{lemon}" method="post"' in page
    assert f'action="/admin/menu/{lemon}/allergens#allergens-{lemon}"' in page
    assert stored(session, OptionKind.FLAVOUR, "Lemon") == before


def test_allergens_of_a_missing_option_say_so(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    response = client.post("/admin/menu/9999/allergens", data={"allergens": ["milk"]})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "That menu option no longer exists" in page


def test_allergens_need_a_login(client: FlaskClient, session: orm.Session) -> None:
    lemon = option_id(session, OptionKind.FLAVOUR, "Lemon")
    before = stored(session, OptionKind.FLAVOUR, "Lemon")
    refused = client.post(f"/admin/menu/{lemon}/allergens", data={"allergens": ["fish"]})
    assert refused.status_code == 401
    assert stored(session, OptionKind.FLAVOUR, "Lemon") == before


@pytest.mark.usefixtures("csrf")
def test_allergens_need_a_csrf_token(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    lemon = option_id(session, OptionKind.FLAVOUR, "Lemon")
    form = {"allergens": "fish", "may_contain": ""}
    assert client.post(f"/admin/menu/{lemon}/allergens", data=form).status_code == 400
    assert stored(session, OptionKind.FLAVOUR, "Lemon")[0] == "gluten,eggs,milk"
    assert auth.post(f"/admin/menu/{lemon}/allergens", data=form).status_code == 303
    assert stored(session, OptionKind.FLAVOUR, "Lemon") == ("fish", "")
