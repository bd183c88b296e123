"""The shop's upcoming pickups as an iCalendar feed behind a secret URL (no login).

The token in the URL is the only credential, so it is compared in constant time and any
other token is a plain 404. The feed names the order, the cake and the customer's first
name, never a phone number or an email address.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, url_for
from icalendar import Calendar, Event

from cloudcity.calendar.rules import CalendarRules
from cloudcity.calendar.slots import day_slots
from cloudcity.db.models import Order
from cloudcity.pickup import shop_rules
from cloudcity.queries.schedule import day_bounds, pickups_between
from cloudcity.web.context import now, reading, settings

bp = Blueprint("calendar_feed", __name__)
PAST_DAYS = 7  # a week back, so today's and yesterday's pickups stay on the phone


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """Upcoming pickups (and the last week's) as VEVENTs in UTC."""
    stored = reading().calendar.feed_token()
    if stored is None or not hmac.compare_digest(token.encode(), stored.encode()):
        abort(404)
    rules = shop_rules(reading())
    start, _ = day_bounds(rules.local_today(now()) - timedelta(days=PAST_DAYS), rules)
    end = start + timedelta(days=PAST_DAYS + rules.horizon_days + 2)
    orders = pickups_between(reading().session, start=start, end=end)
    body = pickup_calendar(orders, rules=rules, stamp=now()).to_ical()
    headers = {"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"}
    return Response(body, mimetype="text/calendar", headers=headers)


def pickup_calendar(orders: list[Order], *, rules: CalendarRules, stamp: datetime) -> Calendar:
    """A calendar with one event per order, at its pickup slot."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cloud City//Pickups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings().shop_name} pickups")
    calendar.add("x-wr-timezone", rules.tz.key)
    for order in orders:
        calendar.add_component(_event(order, rules=rules, stamp=stamp))
    return calendar


def _event(order: Order, *, rules: CalendarRules, stamp: datetime) -> Event:
    assert order.pickup_at is not None
    event = Event()
    event.add("uid", f"order-{order.id}@cloudcity")
    event.add("dtstamp", stamp)
    event.add("dtstart", order.pickup_at)
    event.add("dtend", slot_end(order.pickup_at, rules))
    event.add("summary", f"#{order.id} {order.size} {order.flavour} \u2014 {_first(order)}")
    event.add(
        "description",
        f"{order.size} {order.flavour}, {order.frosting} frosting, topping {order.topping}. "
        f"Status: {order.status.value.replace('_', ' ')}.",
    )
    event.add("url", url_for("admin.order", order_id=order.id, _external=True))
    return event


def slot_end(start: datetime, rules: CalendarRules) -> datetime:
    """The end of the slot starting at `start` (longer or shorter when the clocks change)."""
    day = start.astimezone(rules.tz).date()
    found = next((slot for slot in day_slots(rules, day) if slot.start == start), None)
    return start + rules.slot_length if found is None else found.end


def _first(order: Order) -> str:
    words = (order.customer.name or "").split()
    return words[0] if words else "customer"
