"""The orders list (filter, search, pages) and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import orm
from werkzeug.datastructures import MultiDict

from cloudcity.db.models import Order
from cloudcity.domain import OrderStatus
from cloudcity.phones import region_of
from cloudcity.queries.orders import OrderFilter, find_orders, iter_pages
from cloudcity.web.admin import bp
from cloudcity.web.admin.formatting import channel_label, local_iso, shop_zone
from cloudcity.web.admin.security import MAX_ID
from cloudcity.web.context import reading, settings

CSV_COLUMNS = (
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
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number in E.164 starts with "+" but runs nothing in a spreadsheet: left as typed.
PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{5,14}")


@bp.get("/orders")
def orders() -> str:
    """Orders newest first, filtered and searched, a page at a time."""
    wanted, problems = parse_filter(request.args)
    before = _cursor()
    page = find_orders(reading().session, wanted, before=before, region=_region())
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "admin/orders.html",
        page=page,
        wanted=wanted,
        problems=problems,
        args=args,
        statuses=list(OrderStatus),
        first_page=before is None,
    )


@bp.get("/orders.csv")
def orders_csv() -> Response:
    """The filtered orders as CSV, streamed row by row (safe to open in a spreadsheet)."""
    wanted, _ = parse_filter(request.args)
    session = reading().session
    pages = iter_pages(session, wanted, region=_region())
    body = stream_with_context(_csv_lines(session, pages, shop_zone()))
    headers = {"Content-Disposition": 'attachment; filename="cloud-city-orders.csv"'}
    return Response(body, mimetype="text/csv", headers=headers)


def parse_filter(args: MultiDict[str, str]) -> tuple[OrderFilter, list[str]]:
    """Read the filter from the query string; unreadable parts are ignored and reported."""
    problems: list[str] = []
    status = None
    if args.get("status"):
        try:
            status = OrderStatus(args["status"])
        except ValueError:
            problems.append(f"unknown status {args['status']!r}: showing every status")
    since = _day(args.get("from"), "from", problems)
    until = _day(args.get("to"), "to", problems)
    query = args.get("q", "")
    return OrderFilter(status, since, until, query, shop_zone()), problems


def _day(text: str | None, name: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"the {name!r} date {text!r} is not a date like 2026-11-24: ignored")
        return None


def _cursor() -> int | None:
    """The `before` order id of an older page; anything that can't be an order id is ignored."""
    before = request.args.get("before", type=int)
    return before if before is not None and 0 < before <= MAX_ID else None


def _region() -> str | None:
    return region_of(settings().shop_phone)


def _csv_lines(session: orm.Session, pages: Iterator[list[Order]], tz: ZoneInfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for page in pages:
        writer.writerows([csv_safe(cell) for cell in csv_row(order, tz)] for order in page)
        # Each page is its own short read: no lock or snapshot held while the client downloads
        # (on SQLite every transaction holds the write lock), and memory stays flat.
        session.rollback()
        session.expunge_all()
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_row(order: Order, tz: ZoneInfo) -> list[str]:
    """One order as a CSV row, in CSV_COLUMNS order, times with the shop's offset."""
    customer = order.customer
    return [
        str(order.id),
        local_iso(order.placed_at, tz),
        order.status.value,
        customer.name or "",
        customer.phone,
        channel_label(customer.channel),
        customer.email or "",
        order.size,
        order.flavour,
        order.frosting,
        order.topping,
        f"{order.price_cents // 100}.{order.price_cents % 100:02d}",
        local_iso(order.pickup_at, tz) or "to arrange",
        local_iso(order.ready_at, tz),
        local_iso(order.picked_up_at, tz),
        local_iso(order.cancelled_at, tz),
        order.cancel_reason or "",
    ]


def csv_safe(cell: str) -> str:
    """Quote a cell a spreadsheet would run as a formula (=, +, -, @ at the start), not a phone."""
    if cell.startswith(FORMULA_STARTS) and not PHONE_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
