"""The menu editor: services and the /admin/menu pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity import menu_admin
from cloudcity.db.models import MenuOption
from cloudcity.domain import OptionKind
from tests.conftest import uow_on
from tests.support.admin import AuthActions, place


def option(session: orm.Session, kind: OptionKind, name: str) -> MenuOption:
    """The option of a kind with this exact name (the read transaction ended, so the app can write).

    SQLite transactions begin IMMEDIATE here, so an open one would keep the app waiting.
    """
    found = session.scalars(
        sa.select(MenuOption).where(MenuOption.kind == kind, MenuOption.name == name)
    ).one()
    session.commit()
    return found


def snapshot(session: orm.Session) -> list[tuple[object, ...]]:
    """Every option's fields, to show that a refused change changed nothing."""
    rows = session.execute(
        sa.select(
            MenuOption.id,
            MenuOption.kind,
            MenuOption.name,
            MenuOption.key,
            MenuOption.price_cents,
            MenuOption.active,
        ).order_by(MenuOption.id)
    )
    found = [tuple(row) for row in rows]
    session.commit()
    return found


def test_added_option_goes_last_and_is_orderable(session: orm.Session) -> None:
    added = menu_admin.add_option(
        uow=uow_on(session), kind=OptionKind.FLAVOUR, name="  Pistachio   Rose ", price_cents=400
    )
    assert (added.name, added.key, added.active) == ("Pistachio Rose", "pistachio rose", True)
    assert uow_on(session).menu.orderable()[OptionKind.FLAVOUR][-1].id == added.id


def test_rename_and_reprice(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.update_option(
        uow=uow_on(session), option_id=lemon.id, name="Lemon Zest", price_cents=275
    )
    assert (lemon.name, lemon.key, lemon.price_cents) == ("Lemon Zest", "lemon zest", 275)


def test_renaming_to_its_own_name_in_another_case_is_fine(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.update_option(uow=uow_on(session), option_id=lemon.id, name="LEMON", price_cents=200)
    assert lemon.name == "LEMON"


@pytest.mark.parametrize(
    ("name", "price_cents", "message"),
    [
        ("   ", 100, "give the option a name"),
        ("red   VELVET", 100, "already a flavour called 'Red Velvet'"),
        ("Mango", -1, "cannot be negative"),
        ("x" * 81, 100, "under 81 characters"),
    ],
)
def test_bad_additions_are_refused(
    session: orm.Session, name: str, price_cents: int, message: str
) -> None:
    before = snapshot(session)
    with pytest.raises(menu_admin.MenuEditError, match=message):
        menu_admin.add_option(
            uow=uow_on(session), kind=OptionKind.FLAVOUR, name=name, price_cents=price_cents
        )
    assert snapshot(session) == before


def test_the_same_name_may_exist_in_another_kind(session: orm.Session) -> None:
    added = menu_admin.add_option(
        uow=uow_on(session), kind=OptionKind.TOPPING, name="Chocolate", price_cents=150
    )
    assert added.kind is OptionKind.TOPPING


def test_switching_off_hides_an_option_from_ordering(session: orm.Session) -> None:
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    menu_admin.set_active(uow=uow_on(session), option_id=lemon.id, active=False)
    assert "Lemon" not in [o.name for o in uow_on(session).menu.orderable()[OptionKind.FLAVOUR]]
    menu_admin.set_active(uow=uow_on(session), option_id=lemon.id, active=True)
    assert "Lemon" in [o.name for o in uow_on(session).menu.orderable()[OptionKind.FLAVOUR]]


def test_a_missing_option_is_reported(session: orm.Session) -> None:
    with pytest.raises(menu_admin.MenuEditError, match="no longer exists"):
        menu_admin.set_active(uow=uow_on(session), option_id=9999, active=False)


# The /admin/menu pages ------------------------------------------------------------------


def test_menu_page_needs_a_login(client: FlaskClient, session: orm.Session) -> None:
    response = client.get("/admin/menu")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/menu")
    before = snapshot(session)
    refused = client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": "2"})
    assert refused.status_code == 401
    assert snapshot(session) == before


def test_menu_page_lists_every_option_with_price_and_state(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    option(session, OptionKind.TOPPING, "Sprinkles").active = False
    session.commit()
    auth.login()
    page = client.get("/admin/menu").get_data(as_text=True)
    assert 'value="Chocolate Ganache"' in page
    assert 'value="42.00"' in page
    assert page.count("Switch on") == 1
    assert page.count('class="add actions"') + page.count('class="actions add"') == 4


@pytest.mark.usefixtures("csrf")
def test_menu_forms_need_a_csrf_token(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    before = snapshot(session)
    posts = [
        ("/admin/menu", {"kind": "flavour", "name": "Mango", "price": "2"}),
        (f"/admin/menu/{lemon.id}", {"name": "Lime", "price": "2"}),
        (f"/admin/menu/{lemon.id}/active", {"active": "off"}),
        (f"/admin/menu/{lemon.id}/delete", {}),
    ]
    for path, form in posts:
        assert client.post(path, data=form).status_code == 400
    assert snapshot(session) == before
    assert auth.post("/admin/menu", data=posts[0][1]).status_code == 303


def test_added_flavour_is_in_the_api_at_once(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    response = client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": "2"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/menu#flavour"
    assert "Mango" in client.get("/api/flavours").json["flavour"]
    assert option(session, OptionKind.FLAVOUR, "Mango").price_cents == 200


def test_renamed_repriced_and_switched_off_options_reach_the_api(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    carrot = option(session, OptionKind.FLAVOUR, "Carrot")
    edit = client.post(f"/admin/menu/{lemon.id}", data={"name": "Lemon Zest", "price": "3.5"})
    off = client.post(f"/admin/menu/{carrot.id}/active", data={"active": "off"})
    assert (edit.status_code, off.status_code) == (303, 303)
    flavours = client.get("/api/flavours").json["flavour"]
    assert "Lemon Zest" in flavours
    assert "Lemon" not in flavours
    assert "Carrot" not in flavours
    cake = {"size": "Small", "flavour": "lemon zest", "frosting": "Buttercream", "topping": "None"}
    assert client.get("/api/pricecalculator", query_string=cake).json["total_cents"] == 2350
    assert client.post(f"/admin/menu/{carrot.id}/active", data={"active": "on"}).status_code == 303
    assert "Carrot" in client.get("/api/flavours").json["flavour"]


@pytest.mark.parametrize(
    ("name", "price", "message"),
    [
        ("", "2", "Give the option a name."),
        ("Mango", "", "Enter a price such as 3.50"),
        ("Mango", "-1", "a price cannot be negative"),
        ("Mango", "two", "Enter a price such as 3.50"),
        ("Mango", "2.505", "at most two decimals"),
        ("Mango", "1e9", "A price must be under 100,000.00."),
        (" RED  velvet ", "2", "There is already a flavour called &#39;Red Velvet&#39;."),
    ],
)
def test_bad_menu_input_is_shown_and_changes_nothing(
    client: FlaskClient,
    auth: AuthActions,
    session: orm.Session,
    name: str,
    price: str,
    message: str,
) -> None:
    auth.login()
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    before = snapshot(session)
    for path, form in [
        ("/admin/menu", {"kind": "flavour", "name": name, "price": price}),
        (f"/admin/menu/{lemon.id}", {"name": name, "price": price}),
    ]:
        response = client.post(path, data=form)
        assert response.status_code == 422, path
        page = response.get_data(as_text=True)
        assert message in page
        assert f'value="{price}"' in page
    assert snapshot(session) == before


def test_unknown_kind_or_switch_value_is_refused(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    before = snapshot(session)
    bad_kind = client.post("/admin/menu", data={"kind": "filling", "name": "Jam", "price": "1"})
    assert bad_kind.status_code == 303
    page = client.get(bad_kind.headers["Location"]).get_data(as_text=True)
    assert "Choose a size, flavour, frosting or topping" in page
    bad_switch = client.post(f"/admin/menu/{lemon.id}/active", data={"active": "maybe"})
    assert bad_switch.status_code == 422
    assert snapshot(session) == before


def test_editing_a_missing_option_says_so(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    response = client.post("/admin/menu/9999", data={"name": "Ghost", "price": "1"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "That menu option no longer exists; reload the page." in page


# Where a refused form lands, and deleting -------------------------------------------------


def test_a_refused_addition_comes_back_where_it_was_with_the_error_at_its_field(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    page = client.get("/admin/menu").get_data(as_text=True)
    assert 'action="/admin/menu#add-topping"' in page  # the browser lands on the form again
    assert 'placeholder="e.g. 3.50"' in page
    response = client.post("/admin/menu", data={"kind": "topping", "name": "Mango", "price": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page[page.index('id="add-topping"') :]
    form = form[: form.index("</form>")]
    price = form[form.index('name="price"') : form.index("Add topping")]
    assert 'value="Mango"' in form and 'value="x"' in price
    assert 'aria-invalid="true" aria-describedby="add-topping-price-error" autofocus' in price
    assert '<p class="field-error" id="add-topping-price-error" role="alert">Enter a price' in price
    assert page.count('class="field-error"') == 1  # nowhere else, not at the top


def test_a_refused_edit_keeps_its_row_and_values(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    page = client.get("/admin/menu").get_data(as_text=True)
    assert f'action="/admin/menu/{lemon.id}#option-{lemon.id}"' in page
    response = client.post(f"/admin/menu/{lemon.id}", data={"name": "Vanilla", "price": "2.25"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = page[page.index(f'id="option-{lemon.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="Vanilla"' in row and 'value="2.25"' in row
    assert "There is already a flavour called &#39;Vanilla&#39;." in row
    assert f'aria-describedby="option-{lemon.id}-name-error" autofocus' in row


def test_an_option_never_ordered_can_be_deleted(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": "2"})
    mango = option(session, OptionKind.FLAVOUR, "Mango")
    page = client.get("/admin/menu").get_data(as_text=True)
    assert f'action="/admin/menu/{mango.id}/delete#flavour"' in page
    assert "can only be switched off" in page
    response = client.post(f"/admin/menu/{mango.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/menu#flavour"
    assert "Deleted flavour &#39;Mango&#39;." in client.get("/admin/menu").get_data(as_text=True)
    assert "Mango" not in client.get("/api/flavours").json["flavour"]
    assert not session.scalars(sa.select(MenuOption.id).where(MenuOption.id == mango.id)).all()
    session.commit()
    gone = client.post(f"/admin/menu/{mango.id}/delete")
    assert gone.status_code == 303
    assert "no longer exists" in client.get(gone.headers["Location"]).get_data(as_text=True)


def test_an_ordered_option_can_only_be_switched_off(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    place(session, flavour="Lemon")
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    auth.login()
    page = client.get("/admin/menu").get_data(as_text=True)
    row = page[page.index(f'id="option-{lemon.id}"') :]
    row = row[: row.index("</tr>")]
    assert "/delete" not in row and "ordered" in row and "Switch off" in row
    before = snapshot(session)
    response = client.post(f"/admin/menu/{lemon.id}/delete")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    row = page[page.index(f'id="option-{lemon.id}"') :]
    assert (
        "&#39;Lemon&#39; has been ordered, so it stays on the books: switch it off instead."
        in (row[: row.index("</tr>")])
    )
    assert snapshot(session) == before


def test_cancelled_orders_count_as_ordered(session: orm.Session) -> None:
    order = place(session, size="Large")
    order.status = order.status.CANCELLED
    session.commit()
    large = option(session, OptionKind.SIZE, "Large")
    with pytest.raises(menu_admin.MenuEditError, match="switch it off instead"):
        menu_admin.delete_option(uow=uow_on(session), option_id=large.id)
    small = option(session, OptionKind.SIZE, "Small")
    menu_admin.delete_option(uow=uow_on(session), option_id=small.id)
    assert not session.scalars(sa.select(MenuOption.id).where(MenuOption.id == small.id)).all()


def test_an_option_ordered_then_renamed_still_cannot_be_deleted(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    place(session, flavour="Lemon")  # the order keeps the name "Lemon"
    lemon = option(session, OptionKind.FLAVOUR, "Lemon")
    auth.login()
    renamed = client.post(f"/admin/menu/{lemon.id}", data={"name": "Lemon Zest", "price": "2"})
    assert renamed.status_code == 303
    page = client.get("/admin/menu").get_data(as_text=True)
    row = page[page.index(f'id="option-{lemon.id}"') :]
    assert "/delete" not in row[: row.index("</tr>")]

    again = client.post(f"/admin/menu/{lemon.id}", data={"name": "Zesty Lemon", "price": "2"})
    assert again.status_code == 303
    response = client.post(f"/admin/menu/{lemon.id}/delete")

    assert response.status_code == 409
    assert "&#39;Zesty Lemon&#39; has been ordered" in response.get_data(as_text=True)
    assert option(session, OptionKind.FLAVOUR, "Zesty Lemon").id == lemon.id


def test_an_option_renamed_before_any_order_can_still_be_deleted(
    client: FlaskClient, auth: AuthActions, session: orm.Session
) -> None:
    auth.login()
    client.post("/admin/menu", data={"kind": "flavour", "name": "Mango", "price": "2"})
    mango = option(session, OptionKind.FLAVOUR, "Mango")
    client.post(f"/admin/menu/{mango.id}", data={"name": "Alphonso Mango", "price": "2"})
    assert client.post(f"/admin/menu/{mango.id}/delete").status_code == 303
    assert not session.scalars(sa.select(MenuOption.id).where(MenuOption.id == mango.id)).all()
