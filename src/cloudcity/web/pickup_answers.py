"""Pickup times in and out of the JSON API: slot ids, local times, refusals with others."""

from __future__ import annotations

from datetime import datetime

from cloudcity.calendar import FreeSlot, Reason, refusal_message, slot_label
from cloudcity.calendar.rules import CalendarRules
from cloudcity.pickup import PickupUnavailable, shop_rules
from cloudcity.pricing import Problem
from cloudcity.web import schemas
from cloudcity.web.context import reading
from cloudcity.web.errors import ApiError

FULL = frozenset({Reason.SLOT_FULL, Reason.DAY_FULL, Reason.NOTHING_FREE})


def slot_public(free: FreeSlot, rules: CalendarRules) -> schemas.PickupSlot:
    """One free slot as the API shows it: its id (UTC), local start and end, places left."""
    slot = free.slot
    return schemas.PickupSlot(
        id=slot.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        start=slot.local_start.isoformat(),
        end=slot.local_end.isoformat(),
        places_left=free.places_left,
        label=slot_label(slot, locale=rules.locale),
    )


def parse_pickup_at(text: str) -> datetime:
    """An ISO 8601 time with its offset (or a slot id, which is one in UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problem = Problem("pickup_at", "use ISO 8601 with an offset, e.g. 2026-12-12T14:00-08:00")
        raise ApiError(422, "the pickup time is not valid", [problem])
    return moment


def pickup_refusal(exc: PickupUnavailable) -> ApiError:
    """409 when the time is taken, 422 when it can never be booked; alternatives in details."""
    refusal = exc.refusal
    rules = shop_rules(reading())
    details = [Problem("pickup_at", refusal_message(refusal, rules=rules))]
    details += [
        Problem("pickup_at.alternatives", slot_public(free, rules).start)
        for free in refusal.alternatives
    ]
    status = 409 if refusal.reason in FULL else 422
    return ApiError(status, "that pickup time cannot be booked", details)
