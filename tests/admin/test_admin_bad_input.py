"""Whatever a baker (or a mangled link) sends, the admin answers with a page, never a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order
from cloudcity.domain import OptionKind
from tests.conftest import uow_on
from tests.support.admin import AuthActions, place, reload

HUGE = "99999999999999999999"

QUERIES = [
    "/admin/orders?page=abc",
    "/admin/orders?before=-1",
    "/admin/orders?before=abc",
    f"/admin/orders?before={HUGE}",
    "/admin/orders?before=2147483648",
    "/admin/orders?from=2026-13-45",
    "/admin/orders?from=0001-01-01&to=9999-12-31",
    "/admin/orders.csv?to=9999-12-31",
    "/admin/orders?q=" + "x" * 20_000,
    "/admin/orders?q=" + "1" * 5_000,
    "/admin/orders?q=" + "+" * 300,
    "/admin/orders?q=%231234567890",
    "/admin/orders?q=%FF%FE",
    f"/admin/messages?page={HUGE}",
    "/admin/messages?status=nonsense",
]


@pytest.fixture
def order_id(session: orm.Session, auth: AuthActions) -> int:
    """One order, logged in."""
    found = place(session)
    auth.login()
    return found.id


@pytest.mark.parametrize("path", QUERIES)
def test_odd_query_strings_still_show_the_page(
    client: FlaskClient, order_id: int, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_unbounded_dates_and_bad_cursors_show_every_order(
    client: FlaskClient, order_id: int
) -> None:
    for query in ("?to=9999-12-31", f"?before={HUGE}", "?before=-1"):
        page = client.get("/admin/orders" + query).get_data(as_text=True)
        assert f'id="order-{order_id}"' in page, query


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/orders/{HUGE}",
        "/admin/orders/2147483648",
        "/admin/orders/2147483648/invoice.pdf",
    ],
)
def test_numbers_no_order_can_have_are_not_found(
    client: FlaskClient, order_id: int, path: str
) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/orders/{HUGE}/ready",
        "/admin/orders/2147483648/cancel",
        f"/admin/menu/{HUGE}",
        f"/admin/menu/{HUGE}/active",
        f"/admin/messages/{HUGE}/retry",
    ],
)
def test_actions_on_impossible_numbers_are_not_found(
    auth: AuthActions, order_id: int, path: str
) -> None:
    assert auth.post(path, data={"reason": "oven broke", "active": "off"}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/admin/orders?q=a%00b", "/admin/orders.csv?q=%00", "/admin/orders?q=%1B%5B2J%C2%9B"]
)
def test_control_characters_in_a_search_are_removed(
    client: FlaskClient, order_id: int, path: str
) -> None:
    assert client.get(path).status_code == 200


def test_control_characters_in_a_form_are_removed_before_storing(
    auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    response = auth.post(
        f"/admin/orders/{order_id}/cancel", data={"reason": "oven\x00\x1b[31mbroke"}
    )
    assert response.status_code in (302, 303)
    order = reload(session, session.get(Order, order_id))  # type: ignore[arg-type]
    assert order.status.value == "cancelled"
    assert order.cancel_reason == "oven[31mbroke"


def test_control_characters_in_the_login_form_are_removed(auth: AuthActions) -> None:
    assert auth.login(username="bak\x00er", password="x").status_code == 401
    assert auth.login(username="bak\x00er\x1b").status_code == 302


def test_a_name_too_long_once_case_folded_is_a_form_error(
    auth: AuthActions, session: orm.Session, order_id: int
) -> None:
    before = uow_on(session).menu.options(only_active=False)
    session.commit()
    response = auth.post("/admin/menu", data={"kind": "size", "name": "ß" * 80, "price": "1"})
    assert response.status_code == 422
    assert "Keep the name under 81 characters." in response.get_data(as_text=True)
    after = uow_on(session).menu.options(only_active=False)
    assert [o.name for o in after if o.kind is OptionKind.SIZE] == [
        o.name for o in before if o.kind is OptionKind.SIZE
    ]
