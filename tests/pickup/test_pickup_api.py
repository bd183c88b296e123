"""GET /api/pickup-slots and POST /api/order with a pickup time, in the shop's time zone."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Order, PickupDayCount, PickupSlotCount
from tests.support.api import order_body

# The default calendar: Tue-Sat 9-17, Sun 10-14, Mon closed; 48 h lead (72 h for Large),
# orders after 16:00 count from the next morning; 3 cakes a slot, 20 a day.
THURSDAY_10AM = "2026-12-03T10:00:00-08:00"


def _order(pickup_at: str | None, number: str = "+14155550100", **cake: str) -> dict[str, Any]:
    body = order_body()
    body["customer"]["number"] = number
    body["cake"] |= cake
    if pickup_at is not None:
        body["pickup_at"] = pickup_at
    body.pop("price", None)
    return body


def test_slots_start_after_the_lead_time_in_the_shops_zone(client: FlaskClient) -> None:
    answer = client.get("/api/pickup-slots?days=3")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["time_zone"] == "America/Los_Angeles"
    first = body["slots"][0]
    assert first["start"] == THURSDAY_10AM
    assert first["id"] == "2026-12-03T18:00:00Z"
    assert first["end"] == "2026-12-03T10:30:00-08:00"
    assert first["places_left"] == 3
    assert {slot["start"][:10] for slot in body["slots"]} == {"2026-12-03"}


def test_a_large_cake_needs_more_notice(client: FlaskClient) -> None:
    body = client.get("/api/pickup-slots?size=Large&days=5").get_json()
    assert body["slots"][0]["start"] == "2026-12-04T10:00:00-08:00"


def test_an_order_with_a_pickup_time_answers_it_in_the_shops_zone(
    client: FlaskClient, session: orm.Session
) -> None:
    answer = client.post("/api/order", json=_order("2026-12-03T18:00:00Z"))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["pickup_at"] == THURSDAY_10AM
    order = session.scalars(sa.select(Order)).one()
    assert (
        order.pickup_at is not None and order.pickup_at.isoformat() == "2026-12-03T18:00:00+00:00"
    )
    assert session.scalar(sa.select(PickupSlotCount.taken)) == 1
    assert session.scalar(sa.select(PickupDayCount.taken)) == 1


def test_an_order_without_a_pickup_time_is_placed_to_arrange(client: FlaskClient) -> None:
    answer = client.post("/api/order", json=_order(None))
    assert answer.status_code == 201
    assert answer.get_json()["pickup_at"] is None


def test_a_closed_day_is_refused_with_alternatives(client: FlaskClient) -> None:
    answer = client.post("/api/order", json=_order("2026-12-07T10:00:00-08:00"))  # a Monday
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "that pickup time cannot be booked"
    assert "closed" in body["details"][0]["message"].lower()
    alternatives = [d["message"] for d in body["details"] if d["field"] == "pickup_at.alternatives"]
    assert alternatives and all(a.startswith("2026-12-") for a in alternatives)


def test_too_soon_is_refused_with_the_earliest_time(client: FlaskClient) -> None:
    answer = client.post("/api/order", json=_order("2026-12-02T10:00:00-08:00"))
    assert answer.status_code == 422
    assert "Thursday" in answer.get_json()["details"][0]["message"]


def test_a_time_without_an_offset_or_not_a_time_is_refused(client: FlaskClient) -> None:
    for text in ("2026-12-03T10:00:00", "saturday", "9" * 40):
        answer = client.post("/api/order", json=_order(text))
        assert answer.status_code == 422, text
        assert answer.get_json()["details"][0]["field"] == "pickup_at"


def test_bad_slot_queries_are_refused(client: FlaskClient) -> None:
    for query in (
        "days=0",
        "days=61",
        "days=x",
        "from=12/03/2026",
        "from=2026-13-01",
        "size=" + "x" * 81,
    ):
        answer = client.get(f"/api/pickup-slots?{query}")
        assert answer.status_code == 422, query
        assert answer.get_json()["details"]


def test_fifty_customers_racing_for_the_last_two_places_get_two_orders(
    app: Flask, client: FlaskClient, session: orm.Session
) -> None:
    assert client.post("/api/order", json=_order(THURSDAY_10AM, "+14155550101")).status_code == 201
    statuses: list[int] = []
    refusals: list[dict[str, Any]] = []
    start = threading.Barrier(50)

    def customer(n: int) -> None:
        own = app.test_client()
        start.wait()
        answer = own.post("/api/order", json=_order(THURSDAY_10AM, f"+1415555{n:04d}"))
        statuses.append(answer.status_code)
        if answer.status_code == 409:
            refusals.append(answer.get_json())

    threads = [threading.Thread(target=customer, args=(200 + n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201, 201] + [409] * 48
    assert all(r["details"][1]["field"] == "pickup_at.alternatives" for r in refusals)
    assert THURSDAY_10AM not in {d["message"] for r in refusals for d in r["details"][1:]}
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 3
    assert session.scalar(sa.select(PickupSlotCount.taken)) == 3


def test_unknown_query_parameters_are_refused(client: FlaskClient) -> None:
    answer = client.get("/api/pickup-slots?days=1&colour=blue")
    assert answer.status_code == 422
    assert answer.get_json()["details"] == [
        {"field": "colour", "message": "not a parameter of this call"}
    ]


def test_a_first_day_far_in_the_past_or_future_answers_without_error(client: FlaskClient) -> None:
    for first in ("0001-01-01", "9999-12-31"):
        answer = client.get(f"/api/pickup-slots?from={first}&days=60")
        assert answer.status_code == 200, first
