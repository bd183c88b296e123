"""A Twilio Studio flow that takes the same cake order with Studio widgets and our JSON API.

The document is what Studio's "Import from JSON" (or the Flows REST API's `Definition`)
accepts: states of widget types `trigger`, `send-and-wait-for-reply`, `split-based-on`,
`make-http-request`, `set-variables` and `send-message`, wired by transition events.
Every failed request, unanswered question and unusable answer ends with a polite message,
never with silence. Basic auth for the API goes in the base URL (`https://user:pass@host`),
as Studio's HTTP widget expects it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from cloudcity.order_text import INSCRIPTION_LIMIT

State = dict[str, Any]

SORRY_ERROR = "sorry_went_wrong"
SORRY_TIMEOUT = "sorry_no_reply"
CHOICES = ("size", "flavour", "frosting", "topping")
QUESTIONS = {
    "size": "What size would you like? {{widgets.get_menu.parsed.size | join: ', '}}",
    "flavour": "Which flavour? {{widgets.get_menu.parsed.flavour | join: ', '}}",
    "frosting": "Which frosting? {{widgets.get_menu.parsed.frosting | join: ', '}}",
    "topping": "And a topping? {{widgets.get_menu.parsed.topping | join: ', '}}",
}
PICKUP_CHOICES = 3
NO_INSCRIPTION = "no, n, none, nothing, skip, no thanks, nope"
SLOT_DAYS = 14  # enough days to find three free slots after the longest lead time


class StudioError(ValueError):
    """The flow cannot be built from what was given (a bad base URL)."""


def build_flow(
    base_url: str,
    *,
    shop_name: str,
    currency: str,
    timeout_seconds: int = 3600,
    inscription_limit: int = INSCRIPTION_LIMIT,
) -> dict[str, Any]:
    """The whole flow definition, calling the API under `base_url`.

    What to write on the cake is checked by the order API (the chat's rules): an inscription
    it refuses ends the flow with the "something went wrong" message.
    """
    base = _checked_base(base_url)
    states = [
        _trigger("get_menu"),
        _http("get_menu", "GET", f"{base}/api/flavours", then="ask_size"),
        *_questions(shop_name, timeout_seconds),
        _remember_cake(then="get_price"),
        _http("get_price", "GET", _price_url(base), then="get_slots"),
        _http("get_slots", "GET", _slots_url(base), then="ask_pickup"),
        _ask_pickup(timeout_seconds),
        _pickup_split(),
        *(_remember_pickup(n, then="ask_inscription") for n in range(1, PICKUP_CHOICES + 1)),
        *_inscription(inscription_limit, timeout_seconds, then="ask_confirm"),
        _ask_confirm(currency, timeout_seconds),
        _confirm_split(),
        *_ask("name", "What name should we put on the order?", timeout_seconds, then="ask_email"),
        *_ask(
            "email",
            "Thanks! What email should we send the receipt to?",
            timeout_seconds,
            then="remember_customer",
        ),
        _remember_customer(then="place_order"),
        _http("place_order", "POST", f"{base}/api/order", then="order_placed", body=_order_body()),
        _send(
            "order_placed",
            "Thank you, {{flow.variables.name}}! Your order number is "
            "{{widgets.place_order.parsed.order_id}}, for pickup "
            "{{flow.variables.pickup_label}}. We'll message you when it's ready.",
        ),
        _send(
            "order_cancelled",
            "No problem, nothing was ordered. Message us any time to start again.",
        ),
        _send(
            SORRY_ERROR,
            "Sorry, something went wrong and we couldn't take your order. "
            "Please check your answers against the menu and message us again to start over.",
        ),
        _send(
            SORRY_TIMEOUT,
            "Sorry, we didn't hear back from you, so we've stopped this "
            "order. Message us any time to start again.",
        ),
    ]
    _lay_out(states)
    return {
        "description": f"{shop_name}: cake orders over WhatsApp and SMS",
        "states": states,
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def _lay_out(states: list[State]) -> None:
    """Give each widget a place on Studio's canvas: the order path down, the endings beside it."""
    endings = {"order_cancelled", SORRY_ERROR, SORRY_TIMEOUT}
    for row, state in enumerate(states):
        column = 1 if state["name"] in endings else 0
        state["properties"]["offset"] = {"x": column * 600, "y": row * 200}


def _checked_base(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise StudioError(f"{base_url!r} is not a base URL; give one like https://cakes.example")
    if parts.query or parts.fragment:
        raise StudioError("the base URL must not have a query string or a fragment")
    return base_url.strip().rstrip("/")


def _state(name: str, kind: str, transitions: list[tuple[str, str]], **props: Any) -> State:
    return {
        "name": name,
        "type": kind,
        "transitions": [{"event": event, "next": nxt} for event, nxt in transitions],
        "properties": props,
    }


def _trigger(then: str) -> State:
    events = ["incomingCall", "incomingConversationMessage", "incomingRequest", "incomingParent"]
    return _state("Trigger", "trigger", [("incomingMessage", then), *((e, "") for e in events)])


def _http(name: str, method: str, url: str, *, then: str, body: str | None = None) -> State:
    props: dict[str, Any] = {
        "method": method,
        "url": url,
        "content_type": "application/json;charset=utf-8",
    }
    if body is not None:
        props["body"] = body
    return _state(name, "make-http-request", [("success", then), ("failed", SORRY_ERROR)], **props)


def _send(name: str, body: str) -> State:
    # A last message that cannot be delivered has nobody left to apologise to: the flow ends.
    return _state(
        name,
        "send-message",
        [("sent", ""), ("failed", "")],
        body=body,
        to="{{contact.channel.address}}",
        **{"from": "{{flow.channel.address}}"},
    )


def _question(field: str, body: str, timeout_seconds: int, *, then: str) -> State:
    return _state(
        f"ask_{field}",
        "send-and-wait-for-reply",
        [("incomingMessage", then), ("timeout", SORRY_TIMEOUT), ("deliveryFailure", SORRY_ERROR)],
        body=body,
        timeout=str(timeout_seconds),
        **{"from": "{{flow.channel.address}}"},
    )


def _ask(field: str, body: str, timeout_seconds: int, *, then: str) -> list[State]:
    """A question, then a split that refuses a blank answer."""
    answer = f"{{{{widgets.ask_{field}.inbound.Body}}}}"
    check = _state(f"check_{field}", "split-based-on", [("noMatch", SORRY_ERROR)], input=answer)
    check["transitions"].append(
        _match(then, f"{field} given", answer, "is_not_blank", "Is Not Blank")
    )
    return [_question(field, body, timeout_seconds, then=f"check_{field}"), check]


def _match(then: str, label: str, argument: str, test: str, value: str) -> dict[str, Any]:
    condition = {"friendly_name": label, "arguments": [argument], "type": test, "value": value}
    return {"event": "match", "next": then, "conditions": [condition]}


def _questions(shop_name: str, timeout_seconds: int) -> list[State]:
    states: list[State] = []
    for index, field in enumerate(CHOICES):
        then = f"ask_{CHOICES[index + 1]}" if index + 1 < len(CHOICES) else "remember_cake"
        body = QUESTIONS[field]
        if index == 0:
            body = f"Hi! Welcome to {shop_name}. Let's make your cake. " + body
        states += _ask(field, body, timeout_seconds, then=then)
    return states


def _set_variables(name: str, values: dict[str, str], *, then: str) -> State:
    variables = [{"key": key, "value": value} for key, value in values.items()]
    return _state(name, "set-variables", [("next", then)], variables=variables)


def _remember_cake(*, then: str) -> State:
    values = {f: f"{{{{widgets.ask_{f}.inbound.Body | strip}}}}" for f in CHOICES}
    return _set_variables("remember_cake", values, then=then)


def _remember_customer(*, then: str) -> State:
    values = {f: f"{{{{widgets.ask_{f}.inbound.Body | strip}}}}" for f in ("name", "email")}
    return _set_variables("remember_customer", values, then=then)


def _price_url(base: str) -> str:
    query = "&".join(f"{f}={{{{flow.variables.{f} | url_encode}}}}" for f in CHOICES)
    return f"{base}/api/pricecalculator?{query}"


def _slots_url(base: str) -> str:
    return f"{base}/api/pickup-slots?size={{{{flow.variables.size | url_encode}}}}&days={SLOT_DAYS}"


def _ask_pickup(timeout_seconds: int) -> State:
    """The first free slots as a numbered list (the API's labels, in the shop's time zone)."""
    slot = "{{widgets.get_slots.parsed.slots[%d].label}}"
    lines = [f"{n}. {slot % (n - 1)}" for n in range(1, PICKUP_CHOICES + 1)]
    body = "\n".join(["When would you like to pick it up? Reply with its number:", *lines])
    return _question("pickup", body, timeout_seconds, then="pickup_split")


def _pickup_split() -> State:
    answer = "{{widgets.ask_pickup.inbound.Body | strip}}"
    split = _state("pickup_split", "split-based-on", [("noMatch", SORRY_ERROR)], input=answer)
    split["transitions"] += [
        _match(f"pickup_{n}", f"chose {n}", answer, "matches_any_of", str(n))
        for n in range(1, PICKUP_CHOICES + 1)
    ]
    return split


def _remember_pickup(number: int, *, then: str) -> State:
    """The chosen slot's id (sent as pickup_at) and its label (read back to the customer)."""
    slot = f"widgets.get_slots.parsed.slots[{number - 1}]"
    values = {"pickup_at": f"{{{{{slot}.id}}}}", "pickup_label": f"{{{{{slot}.label}}}}"}
    return _set_variables(f"pickup_{number}", values, then=then)


def _inscription(limit: int, timeout_seconds: int, *, then: str) -> list[State]:
    """Ask what to write on the cake; "no" (and the like) is nothing, anything else the words.

    `inscription_line` is the confirmation's line about it.
    """
    body = f"Anything written on the cake? (up to {limit} characters, or 'no')"
    answer = "{{widgets.ask_inscription.inbound.Body | strip}}"
    split = _state("inscription_split", "split-based-on", [("noMatch", SORRY_ERROR)], input=answer)
    split["transitions"] += [  # in order: the first match wins
        _match("no_inscription", "nothing written", answer, "matches_any_of", NO_INSCRIPTION),
        _match("remember_inscription", "words given", answer, "is_not_blank", "Is Not Blank"),
    ]
    words = {"inscription": answer, "inscription_line": f"Written on it: \u201c{answer}\u201d."}
    nothing = {"inscription": "", "inscription_line": "Nothing written on it."}
    return [
        _question("inscription", body, timeout_seconds, then="inscription_split"),
        split,
        _set_variables("remember_inscription", words, then=then),
        _set_variables("no_inscription", nothing, then=then),
    ]


def _ask_confirm(currency: str, timeout_seconds: int) -> State:
    cake = "{{widgets.get_price.parsed.cake.%s}}"
    body = (
        f"A {cake % 'size'} {cake % 'flavour'} cake with {cake % 'frosting'} frosting and "
        f"{cake % 'topping'} on top comes to {{{{widgets.get_price.parsed.total}}}} {currency}, "
        "pickup {{flow.variables.pickup_label}}. {{flow.variables.inscription_line}} "
        "Shall we place the order? (yes/no)"
    )
    return _question("confirm", body, timeout_seconds, then="confirm_split")


def _confirm_split() -> State:
    answer = "{{widgets.ask_confirm.inbound.Body | strip | downcase}}"
    split = _state("confirm_split", "split-based-on", [("noMatch", SORRY_ERROR)], input=answer)
    split["transitions"] += [
        _match("ask_name", "said yes", answer, "matches_any_of", "yes, y, ok, yep, sure"),
        _match("order_cancelled", "said no", answer, "matches_any_of", "no, n, cancel, stop"),
    ]
    return split


def _order_body() -> str:
    """The POST /api/order JSON; `to_json` quotes and escapes what the customer typed."""
    cake = {f: f"@@{{{{flow.variables.{f} | to_json}}}}@@" for f in (*CHOICES, "inscription")}
    body = {
        "customer": {
            "number": "{{contact.channel.address}}",
            "name": "@@{{flow.variables.name | to_json}}@@",
            "email": "@@{{flow.variables.email | to_json}}@@",
        },
        "cake": cake,
        "price": "{{widgets.get_price.parsed.total}}",
        "pickup_at": "{{flow.variables.pickup_at}}",
        "idempotency_key": "studio:{{trigger.message.MessageSid}}",
    }
    return json.dumps(body, indent=2).replace('"@@', "").replace('@@"', "")
