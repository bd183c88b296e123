"""The orders list: search, filters, pages; and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import orm

from tests.support.admin import AuthActions, place

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def three(session: orm.Session, auth: AuthActions) -> list[int]:
    """Three customers' orders on three days, logged in."""
    ids = [
        place(
            session,
            name="Anna Lee",
            phone="whatsapp:+14155550100",
            email="anna@example.com",
            placed_at=DAY - timedelta(days=2),
        ).id,
        place(
            session,
            name="Bob Stone",
            phone="+14155550111",
            email="Bob.Stone@Example.com",
            placed_at=DAY - timedelta(days=1),
        ).id,
        place(
            session,
            name="Cleo Park",
            phone="+447911123456",
            email="cleo@example.org",
            placed_at=DAY,
        ).id,
    ]
    auth.login()
    return ids


def shown(client: FlaskClient, query: str = "") -> list[int]:
    page = client.get("/admin/orders" + query).get_data(as_text=True)
    return [int(part.split('"')[0]) for part in page.split('id="order-')[1:]]


def test_newest_first_with_details(client: FlaskClient, three: list[int]) -> None:
    page = client.get("/admin/orders").get_data(as_text=True)
    assert shown(client) == list(reversed(three))
    assert "+14155550100" in page and "WhatsApp" in page and "SMS" in page
    assert "$21.00" in page  # Small 20 + Vanilla 0 + Buttercream 0 + Sprinkles 1
    assert "10 Mar 2026, 05:00" in page  # the shop's clock: Los Angeles, summer time since 8 Mar


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("anna", 0),
        ("Anna L", 0),
        ("BOB", 1),
        ("cleo park", 2),
        ("anna@example.com", 0),
        ("bob.stone@", 1),
        ("CLEO@EXAMPLE", 2),
        ("+1 (415) 555-0100", 0),
        ("415 555 0111", 1),
        ("+44 7911 123456", 2),
        ("+4479", 2),
    ],
)
def test_search(client: FlaskClient, three: list[int], query: str, who: int) -> None:
    assert shown(client, f"?q={query.replace('+', '%2B')}") == [three[who]]


def test_search_by_order_number(client: FlaskClient, three: list[int]) -> None:
    assert shown(client, f"?q=%23{three[1]}") == [three[1]]
    assert shown(client, f"?q={three[2]}") == [three[2]]
    assert shown(client, "?q=nobody") == []


def test_filter_by_status_and_days(
    client: FlaskClient, auth: AuthActions, three: list[int]
) -> None:
    auth.post(f"/admin/orders/{three[0]}/ready")
    assert shown(client, "?status=ready") == [three[0]]
    assert shown(client, "?status=placed") == [three[2], three[1]]
    assert shown(client, "?from=2026-03-09&to=2026-03-09") == [three[1]]
    assert shown(client, "?from=2026-03-09") == [three[2], three[1]]
    assert shown(client, "?to=2026-03-08&status=ready") == [three[0]]


def test_bad_filters_are_reported_not_fatal(client: FlaskClient, three: list[int]) -> None:
    response = client.get("/admin/orders?status=baked&from=yesterday")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "unknown status" in body and "is not a date" in body
    assert shown(client, "?status=baked") == list(reversed(three))


def test_pages(client: FlaskClient, auth: AuthActions, session: orm.Session) -> None:
    ids = [place(session, placed_at=DAY + timedelta(minutes=i // 2)).id for i in range(120)]
    auth.login()
    newest = list(reversed(ids))
    first = client.get("/admin/orders").get_data(as_text=True)
    assert shown(client) == newest[:50]
    assert f"before={newest[49]}" in first
    assert shown(client, f"?before={newest[49]}") == newest[50:100]
    last = client.get(f"/admin/orders?before={newest[99]}").get_data(as_text=True)
    assert shown(client, f"?before={newest[99]}") == newest[100:]
    assert "Older" not in last and "Newest" in last


def csv_rows(client: FlaskClient, query: str = "") -> list[list[str]]:
    response = client.get("/admin/orders.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export(client: FlaskClient, three: list[int]) -> None:
    rows = csv_rows(client)
    assert rows[0] == [
        "order id",
        "placed at",
        "status",
        "customer name",
        "phone",
        "channel",
        "email",
        "size",
        "flavour",
        "frosting",
        "topping",
        "price",
        "pickup at",
        "ready at",
        "picked up at",
        "cancelled at",
        "cancel reason",
    ]
    assert [row[0] for row in rows[1:]] == [str(i) for i in reversed(three)]
    anna = rows[3]
    assert anna[1] == "2026-03-08T05:00:00-07:00"  # the shop's clock, on the day it sprang forward
    assert anna[2:4] == ["placed", "Anna Lee"]
    assert anna[4:7] == ["+14155550100", "WhatsApp", "anna@example.com"]  # a phone, as typed
    assert anna[7:13] == ["Small", "Vanilla", "Buttercream", "Sprinkles", "21.00", "to arrange"]
    assert anna[13:] == ["", "", "", ""]
    assert [row[0] for row in csv_rows(client, "?q=bob")[1:]] == [str(three[1])]


def test_csv_exports_only_the_filtered_orders(
    client: FlaskClient, auth: AuthActions, three: list[int]
) -> None:
    auth.post(f"/admin/orders/{three[0]}/ready")

    def ids(query: str) -> list[str]:
        return [row[0] for row in csv_rows(client, query)[1:]]

    assert ids("?status=ready") == [str(three[0])]
    assert ids("?status=placed") == [str(three[2]), str(three[1])]
    assert ids("?from=2026-03-09&to=2026-03-09") == [str(three[1])]
    assert ids("?to=2026-03-08&status=placed") == []
    assert ids("?q=%2B447911123456&from=2026-03-10") == [str(three[2])]


def test_csv_has_the_status_times_on_the_shops_clock_to_the_second(
    client: FlaskClient, auth: AuthActions, three: list[int]
) -> None:
    anna, bob, _ = three
    auth.post(f"/admin/orders/{anna}/ready")
    auth.post(f"/admin/orders/{anna}/picked-up")
    auth.post(f"/admin/orders/{bob}/cancel", data={"reason": "=out of lemons, sorry"})
    by_id = {row[0]: dict(zip(csv_rows(client)[0], row, strict=True)) for row in csv_rows(client)}
    picked, cancelled = by_id[str(anna)], by_id[str(bob)]
    local_time = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00")  # Los Angeles
    assert local_time.fullmatch(picked["ready at"])
    assert local_time.fullmatch(picked["picked up at"])
    assert picked["ready at"] <= picked["picked up at"]
    assert picked["status"] == "picked_up"
    assert picked["cancelled at"] == picked["cancel reason"] == ""
    assert cancelled["status"] == "cancelled"
    assert local_time.fullmatch(cancelled["cancelled at"])
    assert cancelled["ready at"] == cancelled["picked up at"] == ""
    assert cancelled["cancel reason"] == "'=out of lemons, sorry"


def test_csv_escapes_formulas(client: FlaskClient, auth: AuthActions, session: orm.Session) -> None:
    place(session, name='=HYPERLINK("http://evil.example","x")', email="@sum@example.com")
    place(session, name="-2+3", phone="+14155550112", email="ok@example.com")
    auth.login()
    rows = csv_rows(client)
    assert rows[1][3] == "'-2+3"
    assert rows[2][3] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[2][6] == "'@sum@example.com"
    assert [rows[1][4], rows[2][4]] == ["+14155550112", "+14155550100"]


def test_broad_search_walks_newest_orders(
    client: FlaskClient, three: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cloudcity.queries.orders.FEW_CUSTOMERS", 1)
    assert shown(client, "?q=%2B1415") == [three[1], three[0]]
    assert shown(client, "?q=%2B1415&status=placed&from=2026-03-09") == [three[1]]
