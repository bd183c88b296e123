"""The OpenAPI 3 document of the JSON API, generated from the same pydantic models it uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from cloudcity.domain import OptionKind
from cloudcity.web import schemas
from cloudcity.web.context import reading, settings
from cloudcity.web.pickup_api import MAX_DAYS

bp = Blueprint("openapi", __name__)
REF = "#/components/schemas/{model}"
MODELS = (
    schemas.OrderCreate,
    schemas.OrderPublic,
    schemas.PriceQuote,
    schemas.Menu,
    schemas.MenuPublic,
    schemas.PickupSlots,
    schemas.ErrorPublic,
)

# YYYY-MM-DD and nothing else (no time, no offset): the shop's date.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    """Serve the API's OpenAPI document: the current menu's names, Basic auth when required."""
    grouped = reading().menu.orderable()
    names = {kind.value: [option.name for option in grouped[kind]] for kind in OptionKind}
    config = settings()
    document = openapi_document(
        auth=config.api_auth is not None,
        choices=names,
        inscription_limit=config.inscription_max_chars,
    )
    return jsonify(document)


def openapi_document(
    *,
    auth: bool = True,
    choices: dict[str, list[str]] | None = None,
    inscription_limit: int | None = None,
) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the pydantic models.

    `auth` declares HTTP Basic auth (only when the API requires it); `choices` lists the
    orderable names per kind, so a schema-driven client sends cakes that are on the menu;
    `inscription_limit` is the shop's limit on what is written on a cake.
    """
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [(schemas.OrderCreate, "validation")]
    modes += [(model, "serialization") for model in MODELS[1:]]
    _, top = models_json_schema(modes, ref_template=REF)
    components: dict[str, Any] = {"schemas": top.get("$defs", {})}
    cake = components["schemas"]["OrderCakeIn"]["properties"]
    for kind, names in (choices or {}).items():
        if names:
            cake[kind]["enum"] = names
    if inscription_limit is not None:
        # Not a maxLength: accents and joiners don't count (see cloudcity.order_text).
        limit = f" (this shop: {inscription_limit} characters)"
        cake["inscription"]["description"] += limit
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Cloud City order API", "version": "1.0.0"},
        "components": components,
        "paths": _paths(cake),
    }
    if auth:
        components["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
        document["security"] = [{"basic": []}]
    return document


def _plain_string(schema: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "minLength", "maxLength", "enum")
    return {key: schema[key] for key in keep if key in schema}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": REF.format(model=name)}


def _answer(description: str, model: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _answer("refused", "ErrorPublic") for code in codes}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _paths(cake: dict[str, Any]) -> dict[str, Any]:
    # The query's four choices have the very schemas of the order body's cake.
    cake_params = [
        {"name": n, "in": "query", "required": True, "schema": _plain_string(cake[n])}
        for n in ("size", "flavour", "frosting", "topping")
    ]
    return {
        "/api/flavours": {
            "get": {
                "summary": "The orderable menu",
                "responses": {"200": _answer("menu", "Menu"), **_errors("401")},
            }
        },
        "/api/menu": {
            "get": {
                "summary": "The orderable menu with prices and allergens",
                "responses": {"200": _answer("menu", "MenuPublic"), **_errors("401")},
            }
        },
        "/api/pricecalculator": {
            "get": {
                "summary": "Price a cake",
                "parameters": cake_params,
                "responses": {"200": _answer("price", "PriceQuote"), **_errors("401", "422")},
            }
        },
        "/api/pickup-slots": {
            "get": {
                "summary": "Free pickup slots, in the shop's time zone",
                "parameters": [
                    _query(
                        "size",
                        "a cake size (larger cakes may need more notice)",
                        {"type": "string", "maxLength": 80},
                    ),
                    _query(
                        "from",
                        "the first day, YYYY-MM-DD in the shop's time zone (default today)",
                        {"type": "string", "format": "date", "pattern": DATE_PATTERN},
                    ),
                    _query(
                        "days",
                        "how many days (default 7)",
                        {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                    ),
                ],
                "responses": {"200": _answer("slots", "PickupSlots"), **_errors("401", "422")},
            }
        },
        "/api/order": {
            "post": {
                "summary": "Place an order",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("OrderCreate")}},
                },
                "responses": {
                    "201": _answer("placed (or replayed)", "OrderPublic"),
                    **_errors("400", "401", "409", "413", "415", "422"),
                },
            }
        },
    }
