"""Template filters for admin pages: money, UTC times, channels, statuses."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from cloudcity.domain import Channel, OrderStatus
from cloudcity.money import format_money

STATUS_LABELS = {
    OrderStatus.PLACED: "Placed",
    OrderStatus.READY: "Ready",
    OrderStatus.PICKED_UP: "Picked up",
    OrderStatus.CANCELLED: "Cancelled",
}


def when(moment: datetime | None) -> str:
    """A UTC time as people read it: `24 Nov 2026, 14:03 UTC`."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC").lstrip("0")


def channel_label(channel: Channel) -> str:
    """WhatsApp or SMS."""
    return "WhatsApp" if channel is Channel.WHATSAPP else "SMS"


def status_label(status: OrderStatus | str) -> str:
    """A status in words."""
    return STATUS_LABELS.get(OrderStatus(status), str(status))


def register(app: Flask) -> None:
    """Make the filters available to every template (prefixed, to stay out of others' way)."""
    app.add_template_filter(when, "admin_when")
    app.add_template_filter(format_money, "admin_money")
    app.add_template_filter(channel_label, "admin_channel")
    app.add_template_filter(status_label, "admin_status")
