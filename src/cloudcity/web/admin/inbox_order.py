"""A baker places an order for the customer of a conversation: the API's use case, priced by
the server, the customer's number taken from the conversation."""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from cloudcity.calendar import refusal_message
from cloudcity.domain import Cake
from cloudcity.money import format_money
from cloudcity.orders import OrderRequest, PickupUnavailable, PlacedOrder, place_order
from cloudcity.phones import parse_address
from cloudcity.pickup import shop_rules
from cloudcity.pricing import MenuError
from cloudcity.queries import inbox as queries
from cloudcity.web import schemas
from cloudcity.web.admin import bp
from cloudcity.web.admin.inbox import FORM_KEY
from cloudcity.web.admin.order_page import pickup_arg
from cloudcity.web.context import now, reading, settings, unit_of_work

SOURCE = "admin"
CHOICES = ("size", "flavour", "frosting", "topping")


@bp.get("/inbox/<int:conversation_id>/order")
def new_order(conversation_id: int) -> str:
    """The form: the cake's four choices from the menu, name and email, an optional pickup."""
    found = _thread(conversation_id)
    customer = found.customer
    values = {
        "name": customer.name if customer and customer.name else "",
        "email": customer.email if customer and customer.email else "",
    }
    return _form(found, values)


@bp.post("/inbox/<int:conversation_id>/order")
def place(conversation_id: int) -> ResponseReturnValue:
    """Place the order as the API does (the server prices it); the customer gets the receipt."""
    found = _thread(conversation_id)
    values = {name: request.form.get(name, "").strip() for name in (*CHOICES, "name", "email")}
    try:
        placed = _placed(_order_request(found.address, values, request.form.get("form_key", "")))
    except _Refused as exc:
        flash(f"Not placed: {exc}", "error")
        return _form(found, values), 422
    price = format_money(placed.price_cents, placed.currency)
    flash(f"Order #{placed.id} placed for {price}; the receipt goes to {placed.email}.", "success")
    return redirect(url_for("admin.order", order_id=placed.id))


class _Refused(ValueError):
    """The form cannot become an order; says why."""


def _placed(order_request: OrderRequest) -> PlacedOrder:
    try:
        with unit_of_work() as uow:
            hour = settings().reminder_hour
            return place_order(uow=uow, request=order_request, now=now(), reminder_hour=hour).order
    except MenuError as exc:
        raise _Refused(f"{exc}.") from None
    except PickupUnavailable as exc:
        rules = shop_rules(reading())
        why = refusal_message(replace(exc.refusal, alternatives=()), rules=rules)
        raise _Refused(f"{why} Choose another time, or leave the pickup to arrange.") from None


def _order_request(address: str, values: dict[str, str], key: str) -> OrderRequest:
    if not FORM_KEY.fullmatch(key):
        raise _Refused("the form is incomplete. Reload the page and try again.")
    try:
        who = schemas.CustomerIn(number=address, name=values["name"], email=values["email"])
        cake = schemas.CakeIn(**{name: values[name] for name in CHOICES})
    except ValidationError as exc:
        fields = ", ".join(str(error["loc"][-1]) for error in exc.errors())
        raise _Refused(f"check {fields}.") from None
    return OrderRequest(
        address=parse_address(address),
        name=who.name,
        email=str(who.email),
        cake=Cake(**cake.model_dump()),
        currency=settings().currency,
        idempotency_key=f"admin:{key}",  # the same form posted twice places one order
        source=SOURCE,
        pickup_at=pickup_arg(shop_rules(reading()).tz),
    )


def _form(found: queries.Thread, values: dict[str, str]) -> str:
    return render_template(
        "admin/inbox_order.html",
        thread=found,
        menu=reading().menu.orderable(),
        values=values,
        form_key=secrets.token_urlsafe(16),
    )


def _thread(conversation_id: int) -> queries.Thread:
    found = queries.thread(reading().session, conversation_id)
    if found is None:
        abort(404, description=f"there is no conversation #{conversation_id}")
    return found
