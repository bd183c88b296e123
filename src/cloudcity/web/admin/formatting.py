"""Template filters for admin pages: money, times in the shop's zone, channels, statuses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from cloudcity.calendar.rules import zone
from cloudcity.domain import Channel, OrderStatus
from cloudcity.money import format_money
from cloudcity.web.context import now, settings
from cloudcity.web.health import DATABASE_DOWN, current_readiness

STATUS_LABELS = {
    OrderStatus.PLACED: "Placed",
    OrderStatus.READY: "Ready",
    OrderStatus.PICKED_UP: "Picked up",
    OrderStatus.CANCELLED: "Cancelled",
}
TO_ARRANGE = "to arrange"


def shop_zone() -> ZoneInfo:
    """The shop's time zone (CLOUDCITY_TIME_ZONE): every time a baker reads is shown in it."""
    return zone(settings().time_zone)


def when(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """A moment on the shop's clock as people read it: `24 Nov 2026, 06:03`."""
    if moment is None:
        return ""
    local = moment.astimezone(tz or shop_zone())
    return f"{local.day} {local:%b %Y, %H:%M}"


def stamp(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """A moment on the shop's clock for tables: `2026-11-24 06:03`."""
    if moment is None:
        return "—"
    return (moment.astimezone(tz or shop_zone())).strftime("%Y-%m-%d %H:%M")


def clock(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """The time of day on the shop's clock: `14:30`."""
    return "" if moment is None else moment.astimezone(tz or shop_zone()).strftime("%H:%M")


def pickup(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """A pickup time on the shop's clock (`Sat 12 Dec 2026, 10:00`), or "to arrange"."""
    if moment is None:
        return TO_ARRANGE
    local = moment.astimezone(tz or shop_zone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def local_iso(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """A moment in ISO 8601, to the second, with the shop's offset: 2026-03-08T04:00:00-08:00."""
    if moment is None:
        return ""
    return moment.astimezone(tz or shop_zone()).isoformat(timespec="seconds")


def waited(since: datetime | None) -> str:
    """How long ago `since` was, by the app's clock, in a baker's words: `2 h 5 min`."""
    if since is None:
        return ""
    minutes = max(0, int((now() - since).total_seconds() // 60))
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def channel_label(channel: Channel) -> str:
    """WhatsApp or SMS."""
    return "WhatsApp" if channel is Channel.WHATSAPP else "SMS"


def status_label(status: OrderStatus | str) -> str:
    """A status in words."""
    return STATUS_LABELS.get(OrderStatus(status), str(status))


def register(app: Flask) -> None:
    """Make the filters available to every template (prefixed, to stay out of others' way)."""
    app.add_template_filter(when, "admin_when")
    app.add_template_filter(stamp, "admin_stamp")
    app.add_template_filter(pickup, "admin_pickup")
    app.add_template_filter(clock, "admin_clock")
    app.add_template_filter(format_money, "admin_money")
    app.add_template_filter(channel_label, "admin_channel")
    app.add_template_filter(waited, "admin_waited")
    app.add_template_filter(status_label, "admin_status")
    app.add_template_global(shop_zone, "admin_zone")
    app.add_template_global(service_trouble, "admin_trouble")
    from cloudcity.web.admin.order_page import undo_offers  # the page module imports this one

    app.add_template_global(undo_offers, "admin_undo")


def service_trouble() -> tuple[str, ...]:
    """What /readyz would complain about (worker down, messages stuck), for the banner."""
    found = current_readiness()
    return (DATABASE_DOWN,) if found is None else found.problems
