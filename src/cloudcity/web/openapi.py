"""The OpenAPI 3 document of the JSON API, generated from the same pydantic models it uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from cloudcity.web import schemas

bp = Blueprint("openapi", __name__)
REF = "#/components/schemas/{model}"
MODELS = (
    schemas.OrderCreate,
    schemas.OrderPublic,
    schemas.PriceQuote,
    schemas.Menu,
    schemas.PickupSlots,
    schemas.ErrorPublic,
)


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    """Serve the API's OpenAPI document."""
    return jsonify(openapi_document())


def openapi_document() -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the pydantic models."""
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [(schemas.OrderCreate, "validation")]
    modes += [(model, "serialization") for model in MODELS[1:]]
    _, top = models_json_schema(modes, ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cloud City order API", "version": "1.0.0"},
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
        },
        "security": [{"basic": []}],
        "paths": _paths(),
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": REF.format(model=name)}


def _answer(description: str, model: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _answer("refused", "ErrorPublic") for code in codes}


def _query(name: str, description: str, max_length: int) -> dict[str, Any]:
    schema = {"type": "string", "minLength": 1, "maxLength": max_length}
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _paths() -> dict[str, Any]:
    cake_params = [
        {"name": n, "in": "query", "required": True, "schema": {"type": "string"}}
        for n in ("size", "flavour", "frosting", "topping")
    ]
    return {
        "/api/flavours": {
            "get": {
                "summary": "The orderable menu",
                "responses": {"200": _answer("menu", "Menu"), **_errors("401")},
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
                    _query("size", "a cake size (larger cakes may need more notice)", 80),
                    _query("from", "the first day, YYYY-MM-DD in the shop's time zone", 10),
                    _query("days", "how many days, 1 to 60 (default 7)", 2),
                ],
                "responses": {"200": _answer("slots", "PickupSlots"), **_errors("401", "422")},
            }
        },
        "/api/order": {
            "post": {
                "summary": "Place an order",
                "parameters": [
                    {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
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
