"""The production schedule: what to bake for a pickup day (or a week), slot by slot."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from flask.typing import ResponseReturnValue

from cloudcity.pickup import shop_rules
from cloudcity.queries.schedule import schedule, to_arrange
from cloudcity.web.admin import bp
from cloudcity.web.context import now, reading

WEEK = 7


@bp.get("/schedule")
def schedule_page() -> ResponseReturnValue:
    """Orders by pickup day (`?day=YYYY-MM-DD`, default today; `&week=1` for seven days)."""
    rules = shop_rules(reading())
    today = rules.local_today(now())
    day, problem = _day_arg(today)
    week = request.args.get("week") == "1"
    days = schedule(reading().session, first=day, days=WEEK if week else 1, rules=rules)
    unarranged = to_arrange(reading().session)
    shown = [o.id for d in days for g in d.groups for o in g.orders] + [o.id for o in unarranged]
    return render_template(
        "admin/schedule.html",
        days=days,
        day=day,
        week=week,
        today=today,
        tomorrow=today + timedelta(days=1),
        step=timedelta(days=WEEK if week else 1),
        problem=problem,
        unarranged=unarranged,
        photos=reading().photos.for_orders(shown),
    )


def _day_arg(today: date) -> tuple[date, str | None]:
    text = request.args.get("day", "").strip()
    if not text:
        return today, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return today, f"{text[:40]!r} is not a date like 2026-12-24: showing today."
