"""The calendar editor: opening hours, slots, notice, closures and capacity; holidays; feed."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cloudcity import calendar_admin
from cloudcity.calendar.rules import DAY_NAMES, CalendarRules
from cloudcity.domain import OptionKind
from cloudcity.phones import region_of
from cloudcity.pickup import shop_rules
from cloudcity.queries.conflicts import conflicts
from cloudcity.web.admin import bp
from cloudcity.web.admin.calendar_form import Errors, form_values, parse_rules, size_field
from cloudcity.web.admin.formatting import shop_zone
from cloudcity.web.context import now, reading, settings, unit_of_work

MAX_SHOWN_HOLIDAYS = 6


@bp.get("/calendar")
def calendar_page() -> ResponseReturnValue:
    """The shop's calendar as a form, its conflicts, the holiday import and the feed."""
    rules = shop_rules(reading())
    return _page(form_values(rules, _sizes(rules)), {})


@bp.post("/calendar")
def save_calendar() -> ResponseReturnValue:
    """Save the calendar; problems are shown next to their fields and nothing is saved."""
    current = shop_rules(reading())
    sizes = _sizes(current)
    rules, errors = parse_rules(request.form, tz=shop_zone(), locale=current.locale, sizes=sizes)
    if rules is None:
        return _page(dict(request.form), errors, status=422)
    with unit_of_work() as uow:
        calendar_admin.save_calendar(uow=uow, rules=rules, now=now())
    found = len(conflicts(reading().session, rules=rules, now=now()))
    if found:
        flash(f"Calendar saved. {_orders(found)} no longer fit: see the conflicts.", "error")
    else:
        flash("Calendar saved. Every booked order still fits.", "success")
    return redirect(url_for("admin.calendar_page"), 303)


@bp.post("/calendar/holidays")
def import_holidays() -> ResponseReturnValue:
    """Close the shop on the country's public holidays (this year and next)."""
    country = request.form.get("country", "").strip().upper()
    subdivision = request.form.get("subdivision", "").strip().upper() or None
    if not country.isalpha() or len(country) not in (2, 3):
        flash("Holidays not imported: enter a country code such as US or GB.", "error")
        return redirect(url_for("admin.calendar_page", _anchor="holidays"), 303)
    try:
        with unit_of_work() as uow:
            added = calendar_admin.import_holidays(
                uow=uow, country=country, subdivision=subdivision, now=now()
            )
    except ValueError as exc:
        flash(f"Holidays not imported: {exc}.", "error")
    else:
        flash(_imported(country, added), "success")
    return redirect(url_for("admin.calendar_page", _anchor="holidays"), 303)


@bp.post("/calendar/feed")
def rotate_feed() -> ResponseReturnValue:
    """Give the iCalendar feed a new secret URL; the old one stops working at once."""
    with unit_of_work() as uow:
        uow.calendar.rotate_feed_token()
    flash("New calendar feed link made: the old link no longer works.", "success")
    return redirect(url_for("admin.calendar_page", _anchor="feed"), 303)


def _page(values: Mapping[str, str], errors: Errors, *, status: int = 200) -> ResponseReturnValue:
    view = reading()
    rules = shop_rules(view)
    token = view.calendar.feed_token() or ""
    page = render_template(
        "admin/calendar.html",
        values=values,
        errors=errors,
        days=list(enumerate(DAY_NAMES)),
        sizes=[(size, size_field(size)) for size in _sizes(rules)],
        conflicts=conflicts(view.session, rules=rules, now=now()),
        country=region_of(settings().shop_phone) or "",
        feed_url=url_for("calendar_feed.feed", token=token, _external=True),
        time_zone=shop_zone().key,
    )
    return page, status


def _sizes(rules: CalendarRules) -> list[str]:
    menu = [o.name for o in reading().menu.options(only_active=False) if o.kind is OptionKind.SIZE]
    known = {name.casefold() for name in menu}
    return menu + [size.capitalize() for size in rules.lead_time_by_size if size not in known]


def _orders(count: int) -> str:
    return f"{count} order{'s' if count != 1 else ''}"


def _imported(country: str, added: list[calendar_admin.Holiday]) -> str:
    if not added:
        return f"No new public holidays for {country}: they are already closed dates."
    shown = ", ".join(f"{h.name} ({h.day:%d %b %Y})" for h in added[:MAX_SHOWN_HOLIDAYS])
    more = f" and {len(added) - MAX_SHOWN_HOLIDAYS} more" if len(added) > MAX_SHOWN_HOLIDAYS else ""
    return f"Closed on {len(added)} public holidays ({country}): {shown}{more}."
