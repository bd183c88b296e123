"""The pickup calendar in the JSON API: free slots, and refusals that offer others."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, request

from cloudcity.calendar import free_slots
from cloudcity.pickup import pickup_query, shop_rules
from cloudcity.pricing import Problem
from cloudcity.web import schemas
from cloudcity.web.api import api_auth
from cloudcity.web.context import now, reading
from cloudcity.web.errors import ApiError
from cloudcity.web.pickup_answers import slot_public

bp = Blueprint("pickup_api", __name__, url_prefix="/api")
MAX_DAYS = 60
PARAMETERS = frozenset({"size", "from", "days"})


@bp.get("/pickup-slots")
@api_auth
def pickup_slots() -> Response:
    """Free pickup slots from a day (shop's date) for some days, with places left."""
    unknown = sorted(set(request.args) - PARAMETERS)
    if unknown:
        details = [Problem(name[:40], "not a parameter of this call") for name in unknown[:10]]
        raise ApiError(422, "unknown query parameters", details)
    size = _text_arg("size", 80)
    first, days = _from_arg(), _days_arg()
    query = pickup_query(reading(), size=size, now=now())
    # Nothing is bookable before today or past the horizon: clamp, so no date overflows.
    today = query.rules.local_today(query.now)
    first = min(max(first, today), query.last_day + timedelta(days=1))
    found = free_slots(query, first=first, last=first + timedelta(days=days - 1))
    body = schemas.PickupSlots(
        time_zone=query.rules.tz.key, slots=[slot_public(s, query.rules) for s in found]
    )
    return jsonify(body.model_dump())


def _text_arg(name: str, limit: int) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > limit:
        raise ApiError(422, f"{name} is too long", [Problem(name, f"at most {limit} characters")])
    return value or None


def _from_arg() -> date:
    if "from" not in request.args:
        return shop_rules(reading()).local_today(now())
    value = request.args["from"].strip()
    try:
        return date.fromisoformat(value[:10]) if len(value) <= 10 else _bad_from()
    except ValueError:
        return _bad_from()


def _bad_from() -> date:
    raise ApiError(422, "from is not a date", [Problem("from", "use YYYY-MM-DD (the shop's date)")])


def _days_arg() -> int:
    value = request.args.get("days", "7").strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_DAYS:
        raise ApiError(
            422, "days is not valid", [Problem("days", f"a whole number, 1 to {MAX_DAYS}")]
        )
    return int(value)
