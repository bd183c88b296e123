"""The Studio-compatible JSON API: the menu, a price calculator and placing an order."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from cloudcity.db import UnitOfWork
from cloudcity.domain import Cake, MenuItem, OptionKind
from cloudcity.menu import normalise
from cloudcity.money import MoneyError, format_money, to_cents, to_number
from cloudcity.order_text import TextRefused, inscription, note
from cloudcity.orders import (
    IdempotencyConflict,
    OrderRequest,
    Placed,
    PlacedOrder,
    PriceMismatch,
    place_order,
)
from cloudcity.phones import PhoneError, parse_address
from cloudcity.pickup import PickupUnavailable, shop_rules
from cloudcity.pricing import MenuError, Problem, Quote, quote
from cloudcity.text import clean_line
from cloudcity.web import schemas
from cloudcity.web.context import now, reading, run_in_unit_of_work, settings
from cloudcity.web.errors import ApiError, from_validation
from cloudcity.web.pickup_answers import parse_pickup_at, pickup_refusal

bp = Blueprint("api", __name__, url_prefix="/api")
F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)


def api_auth(view: F) -> F:
    """Require HTTP Basic auth when API credentials are configured."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        expected = settings().api_auth
        if expected is not None and not _credentials_match(expected):
            response = jsonify({"error": "valid API credentials are required", "details": []})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Basic realm="cloudcity"'
            return response
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def _credentials_match(expected: tuple[str, str]) -> bool:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return False
    user_ok = hmac.compare_digest((auth.username or "").encode(), expected[0].encode())
    password_ok = hmac.compare_digest((auth.password or "").encode(), expected[1].encode())
    return user_ok and password_ok


@bp.get("/flavours")
@api_auth
def flavours() -> Response:
    """The orderable menu as lists of names per kind."""
    grouped = reading().menu.orderable()
    body = schemas.Menu(**{kind.value: [o.name for o in grouped[kind]] for kind in OptionKind})
    return jsonify(body.model_dump())


@bp.get("/menu")
@api_auth
def menu() -> Response:
    """The orderable menu with each option's key, price and allergens."""
    grouped = reading().menu.orderable()
    currency = settings().currency
    kinds = {kind.value: [_option(o, currency) for o in grouped[kind]] for kind in OptionKind}
    return jsonify(schemas.MenuPublic(currency=currency, **kinds).model_dump(mode="json"))


def _option(option: MenuItem, currency: str) -> schemas.MenuOptionPublic:
    return schemas.MenuOptionPublic(
        key=normalise(option.name),
        name=option.name,
        price_cents=option.price_cents,
        price=format_money(option.price_cents, currency),
        allergens=list(option.allergens),
        may_contain=option.may_contain,
    )


@bp.get("/pricecalculator")
@api_auth
def price_calculator() -> Response:
    """The server's price for a cake given in the query string."""
    cake = _validated(schemas.CakeIn, dict(request.args.items()))
    priced = _quote(Cake(**cake.model_dump()))
    return jsonify(_quote_body(priced).model_dump())


@bp.post("/order")
@api_auth
def create_order() -> tuple[Response, int, dict[str, str]]:
    """Place an order; a repeated Idempotency-Key answers with the first order."""
    payload = _validated(schemas.OrderCreate, _json_object())
    order_request = _order_request(payload)
    # With an Idempotency-Key a repeat after a lost COMMIT finds the order and replays it;
    # without one it would place a second order, so only failures before COMMIT are repeated.
    repeatable = order_request.idempotency_key is not None
    try:
        placed, zone = run_in_unit_of_work(
            lambda uow: _placed_with_zone(uow, order_request), repeatable=repeatable
        )
    except (MenuError, PriceMismatch, IdempotencyConflict) as exc:
        raise _refusal(exc) from None
    except PickupUnavailable as exc:
        raise pickup_refusal(exc) from None
    headers = {"Idempotent-Replayed": "true"} if placed.replayed else {}
    return jsonify(order_body(placed.order, zone).model_dump()), 201, headers


def _placed_with_zone(
    uow: UnitOfWork, order_request: OrderRequest
) -> tuple[Placed, ZoneInfo | None]:
    hour = settings().reminder_hour
    placed = place_order(uow=uow, request=order_request, now=now(), reminder_hour=hour)
    return placed, shop_rules(uow).tz if placed.order.pickup_at else None


def order_body(order: PlacedOrder, zone: ZoneInfo | None = None) -> schemas.OrderPublic:
    """The public answer for an order; its pickup time in `zone`, the shop's."""
    return schemas.OrderPublic(
        order_id=order.id,
        order_date=order.placed_at.isoformat(),
        email=order.email,
        price=to_number(order.price_cents),
        currency=order.currency,
        status=order.status.value,
        cake=schemas.OrderCakePublic(**order.cake.__dict__, inscription=order.inscription),
        pickup_at=None if order.pickup_at is None else order.pickup_at.astimezone(zone).isoformat(),
        note=order.note,
    )


def _order_request(payload: schemas.OrderCreate) -> OrderRequest:
    try:
        address = parse_address(payload.customer.number)
        price = None if payload.price is None else to_cents(payload.price)
    except PhoneError as exc:
        raise ApiError(
            422, "the phone number is not valid", [Problem("customer.number", str(exc))]
        ) from None
    except MoneyError as exc:
        raise ApiError(422, "the price is not valid", [Problem("price", str(exc))]) from None
    key = _header_key() or payload.idempotency_key
    words, told = _written(payload)
    return OrderRequest(
        address=address,
        name=payload.customer.name,
        email=str(payload.customer.email),
        cake=Cake(**payload.cake.model_dump(exclude={"inscription"})),
        currency=settings().currency,
        client_price_cents=price,
        idempotency_key=key,
        fingerprint=_fingerprint(payload) if key else None,
        pickup_at=None if payload.pickup_at is None else parse_pickup_at(payload.pickup_at),
        inscription=words,
        note=told,
    )


def _written(payload: schemas.OrderCreate) -> tuple[str | None, str | None]:
    """The inscription and the note, checked as the chat checks them; 422 saying why not."""
    limit = settings().inscription_max_chars
    try:
        words = inscription(payload.cake.inscription or "", limit=limit)
    except TextRefused as exc:
        raise _text_refusal("cake.inscription", "the inscription can't be piped", exc) from None
    try:
        told = note(payload.note or "")
    except TextRefused as exc:
        raise _text_refusal("note", "the note is not valid", exc) from None
    return words, told


def _text_refusal(field: str, error: str, exc: TextRefused) -> ApiError:
    return ApiError(422, error, [Problem(field, str(exc))])


def _header_key() -> str | None:
    """The Idempotency-Key header as the client wrote it (UTF-8), cleaned like any text."""
    raw = request.headers.get("Idempotency-Key")
    if not raw:
        return None
    try:
        # WSGI hands headers over as latin-1; a UTF-8 key is re-read as the bytes it was.
        key = clean_line(raw.encode("latin-1").decode("utf-8")).strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        key = ""
    if not 0 < len(key) <= 200:
        raise ApiError(
            422,
            "the Idempotency-Key is not valid",
            [Problem("Idempotency-Key", "use 1 to 200 printable UTF-8 characters")],
        )
    return key


def _fingerprint(payload: schemas.OrderCreate) -> str:
    canonical = payload.model_dump(mode="json", exclude={"idempotency_key"})
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _refusal(exc: Exception) -> ApiError:
    if isinstance(exc, MenuError):
        return ApiError(422, "the cake is not on the menu", exc.problems)
    if isinstance(exc, PriceMismatch):
        return ApiError(
            422, str(exc), [Problem("price", f"the current price is {to_number(exc.price_cents)}")]
        )
    return ApiError(409, str(exc), [Problem("Idempotency-Key", "already used for another order")])


def _quote(cake: Cake) -> Quote:
    try:
        return quote(uow=reading(), cake=cake)
    except MenuError as exc:
        raise ApiError(422, "the cake is not on the menu", exc.problems) from None


def _quote_body(priced: Quote) -> schemas.PriceQuote:
    cake = priced.cake
    return schemas.PriceQuote(
        total=to_number(priced.total_cents),
        total_cents=priced.total_cents,
        currency=settings().currency,
        breakdown=[
            schemas.PriceLine(kind=kind.value, name=o.name, price=to_number(o.price_cents))
            for kind, o in priced.options.items()
        ],
        cake=schemas.CakePublic(**cake.__dict__),
    )


def _json_object() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "send the order as JSON (Content-Type: application/json)")
    try:
        body = json.loads(request.get_data(cache=False), parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "the body is not valid JSON", [Problem("body", str(exc))]) from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object", [Problem("body", "not an object")])
    return body


def _validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from None
