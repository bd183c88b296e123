"""A tiny stand-in for Twilio Studio: runs a flow definition against the Flask test client.

It knows just the widgets and Liquid filters our flow uses, so a test can walk the flow with
scripted replies and see what Studio would send and which state the execution ends in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlsplit

from flask.testing import FlaskClient

LIQUID = re.compile(r"\{\{\s*(.*?)\s*\}\}")
INDEXED = re.compile(r"(\w+)\[(\d+)\]")
TIMEOUT = object()


@dataclass
class Execution:
    """What happened: the messages sent, the path taken and the HTTP calls made."""

    sent: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def ended_in(self) -> str:
        """The last state visited."""
        return self.path[-1]


class StudioRunner:
    """Execute a flow for one contact; replies are strings or TIMEOUT."""

    def __init__(
        self, flow: dict[str, Any], client: FlaskClient, contact: str, *, mount: str = ""
    ) -> None:
        self.mount = mount  # the base URL's path, which a proxy would strip before the app
        self.states = {state["name"]: state for state in flow["states"]}
        self.initial = flow["initial_state"]
        self.client = client
        self.context: dict[str, Any] = {
            "widgets": {},
            "flow": {"variables": {}, "channel": {"address": "whatsapp:+14155238886"}},
            "contact": {"channel": {"address": contact}},
            "trigger": {"message": {"MessageSid": "SM" + "1" * 32, "Body": "hi"}},
        }

    def run(self, replies: list[Any]) -> Execution:
        """Run from the trigger until the flow ends."""
        execution = Execution()
        answers: Iterator[Any] = iter(replies)
        name = self._next(self.states[self.initial], "incomingMessage")
        while name:
            execution.path.append(name)
            name = self._step(self.states[name], answers, execution)
        return execution

    def _step(self, state: dict[str, Any], answers: Iterator[Any], execution: Execution) -> str:
        kind, props = state["type"], state["properties"]
        if kind == "send-message":
            execution.sent.append(self.render(props["body"]))
            return self._next(state, "sent")
        if kind == "send-and-wait-for-reply":
            execution.sent.append(self.render(props["body"]))
            answer = next(answers, TIMEOUT)
            if answer is TIMEOUT:
                return self._next(state, "timeout")
            self.context["widgets"][state["name"]] = {"inbound": {"Body": answer}}
            return self._next(state, "incomingMessage")
        if kind == "set-variables":
            for variable in props["variables"]:
                value = self.render(variable["value"])
                self.context["flow"]["variables"][variable["key"]] = value
            return self._next(state, "next")
        if kind == "split-based-on":
            return self._split(state)
        if kind == "make-http-request":
            return self._http(state, execution)
        raise AssertionError(f"the runner does not know widget type {kind}")

    def _next(self, state: dict[str, Any], event: str) -> str:
        for transition in state["transitions"]:
            if transition["event"] == event:
                return str(transition.get("next") or "")
        raise AssertionError(f"{state['name']} has no {event} transition")

    def _split(self, state: dict[str, Any]) -> str:
        value = self.render(state["properties"]["input"])
        for transition in state["transitions"]:
            conditions = transition.get("conditions", [])
            if transition["event"] == "match" and all(_holds(c, value) for c in conditions):
                return str(transition["next"])
        return self._next(state, "noMatch")

    def _http(self, state: dict[str, Any], execution: Execution) -> str:
        props = state["properties"]
        url = urlsplit(self.render(props["url"]))
        target = url.path.removeprefix(self.mount) + (f"?{url.query}" if url.query else "")
        body = self.render(props["body"]) if "body" in props else None
        response = self.client.open(
            target, method=props["method"], data=body, content_type=props["content_type"]
        )
        execution.requests.append((props["method"], target, response.status_code))
        if not 200 <= response.status_code < 300:
            return self._next(state, "failed")
        self.context["widgets"][state["name"]] = {"parsed": response.get_json()}
        return self._next(state, "success")

    def render(self, template: str) -> str:
        """Substitute each {{ path | filter }} the way Studio's Liquid would."""
        return LIQUID.sub(lambda m: self._expression(m.group(1)), template)

    def _expression(self, expression: str) -> str:
        path, *filters = [part.strip() for part in expression.split("|")]
        value: Any = self.context
        for key in path.split("."):
            indexed = INDEXED.fullmatch(key)
            name = indexed[1] if indexed else key
            value = value.get(name, "") if isinstance(value, dict) else ""
            if indexed:  # slots[0]: Liquid's array index; past the end is blank
                at = int(indexed[2])
                value = value[at] if isinstance(value, list) and at < len(value) else ""
        for spec in filters:
            value = _filter(value, spec)
        return value if isinstance(value, str) else str(value)


def _filter(value: Any, spec: str) -> Any:
    name, _, argument = spec.partition(":")
    argument = argument.strip().strip("'\"")
    if name == "join":
        return argument.join(value)
    if name == "strip":
        return str(value).strip()
    if name == "downcase":
        return str(value).lower()
    if name == "url_encode":
        return quote_plus(str(value))
    if name == "to_json":
        return json.dumps(value)
    raise AssertionError(f"the runner does not know the Liquid filter {name}")


def _holds(condition: dict[str, Any], value: str) -> bool:
    if condition["type"] == "is_not_blank":
        return bool(value.strip())
    if condition["type"] == "matches_any_of":
        options = [option.strip().lower() for option in condition["value"].split(",")]
        return value.strip().lower() in options
    raise AssertionError(f"the runner does not know the condition {condition['type']}")
