"""The Studio flow export: a well-formed definition that calls only routes the app serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.chat.studio import SORRY_ERROR, SORRY_TIMEOUT, StudioError, build_flow
from cloudcity.cli import main
from cloudcity.db.models import Order
from tests.support.api import order_body
from tests.support.studio_runner import TIMEOUT, StudioRunner

BASE = "https://cakes.example/shop"
WIDGETS = {
    "trigger",
    "send-and-wait-for-reply",
    "split-based-on",
    "make-http-request",
    "set-variables",
    "send-message",
}
# Where a transition may lead nowhere: the trigger's non-message events, and a final message.
OPEN_ENDS = {
    "trigger": {"incomingCall", "incomingConversationMessage", "incomingRequest", "incomingParent"},
    "send-message": {"sent", "failed"},
}
FAILURES = {"failed", "timeout", "noMatch", "deliveryFailure"}
GOOD_ORDER = [
    "large",
    "Chocolate",
    "buttercream",
    "Sprinkles",
    "1",
    'Happy "40th", Zoë!',
    "yes",
    "Ada",
    "ada@example.com",
]


@pytest.fixture
def flow() -> dict[str, Any]:
    return build_flow(BASE, shop_name="Cloud City Cake Company", currency="USD")


def states_of(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {state["name"]: state for state in flow["states"]}


def run_flow(flow: dict[str, Any], client: FlaskClient, contact: str) -> StudioRunner:
    return StudioRunner(flow, client, contact, mount="/shop")


def test_cli_writes_the_flow_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "flow.json"
    result = runner.invoke(main, ["studio-flow", "--base-url", BASE, "-o", str(target)])
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text())
    assert written["initial_state"] == "Trigger"
    assert written["flags"] == {"allow_concurrent_calls": True}
    assert "Cloud City" in written["description"]


def test_cli_prints_the_flow_without_an_output_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["studio-flow", "--base-url", "https://cakes.example/"])
    assert result.exit_code == 0, result.output
    urls = [
        s["properties"]["url"]
        for s in json.loads(result.output)["states"]
        if "url" in s.get("properties", {})
    ]
    assert urls and all(url.startswith("https://cakes.example/api/") for url in urls)


@pytest.mark.parametrize("bad", ["cakes.example", "ftp://cakes.example", "https://x.example/?a=1"])
def test_cli_refuses_a_base_url_that_is_not_one(runner: CliRunner, bad: str) -> None:
    result = runner.invoke(main, ["studio-flow", "--base-url", bad])
    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_build_flow_refuses_a_relative_url() -> None:
    with pytest.raises(StudioError, match="not a base URL"):
        build_flow("/api", shop_name="x", currency="USD")


def test_states_are_named_once_with_known_widgets(flow: dict[str, Any]) -> None:
    names = [state["name"] for state in flow["states"]]
    assert len(names) == len(set(names))
    assert flow["initial_state"] in names
    for state in flow["states"]:
        assert state["type"] in WIDGETS
        assert isinstance(state["properties"], dict)
        assert "offset" in state["properties"]


def test_every_transition_leads_somewhere_or_ends_where_allowed(flow: dict[str, Any]) -> None:
    states = states_of(flow)
    for state in flow["states"]:
        for transition in state["transitions"]:
            target = transition["next"]
            if target:
                assert target in states, f"{state['name']} -> {target}"
            else:
                assert transition["event"] in OPEN_ENDS.get(state["type"], set()), (
                    f"{state['name']} leaves {transition['event']} unconnected"
                )


def test_every_state_is_reachable_from_the_trigger(flow: dict[str, Any]) -> None:
    states = states_of(flow)
    seen, todo = set(), [flow["initial_state"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [t["next"] for t in states[name]["transitions"] if t["next"]]
    assert seen == set(states)


def test_every_failure_and_timeout_ends_with_a_polite_message(flow: dict[str, Any]) -> None:
    states = states_of(flow)
    for state in flow["states"]:
        if state["type"] == "send-message":
            continue
        for transition in state["transitions"]:
            if transition["event"] in FAILURES:
                expected = SORRY_TIMEOUT if transition["event"] == "timeout" else SORRY_ERROR
                assert transition["next"] == expected, state["name"]
    for name in (SORRY_ERROR, SORRY_TIMEOUT):
        assert states[name]["type"] == "send-message"
        assert states[name]["properties"]["body"].startswith("Sorry")
    assert "didn't hear back" in states[SORRY_TIMEOUT]["properties"]["body"]


def test_questions_wait_for_replies_from_the_flow_number(flow: dict[str, Any]) -> None:
    asks = [s for s in flow["states"] if s["type"] == "send-and-wait-for-reply"]
    assert len(asks) == 9
    for ask in asks:
        assert ask["properties"]["from"] == "{{flow.channel.address}}"
        assert int(ask["properties"]["timeout"]) == 3600
        assert {t["event"] for t in ask["transitions"]} == {
            "incomingMessage",
            "timeout",
            "deliveryFailure",
        }


def test_http_widgets_call_routes_the_app_serves(flow: dict[str, Any], app: Flask) -> None:
    http = [s for s in flow["states"] if s["type"] == "make-http-request"]
    assert [s["properties"]["method"] for s in http] == ["GET", "GET", "GET", "POST"]
    adapter = app.url_map.bind("cakes.example")
    for state in http:
        props = state["properties"]
        assert props["url"].startswith(BASE + "/api/")
        path = urlsplit(props["url"]).path.removeprefix("/shop")
        endpoint, _ = adapter.match(path, method=props["method"])
        assert endpoint.startswith(("api.", "pickup_api."))
        assert props["content_type"].startswith("application/json")
        assert {t["event"] for t in state["transitions"]} == {"success", "failed"}
    assert "size={{flow.variables.size | url_encode}}" in http[1]["properties"]["url"]
    assert http[2]["properties"]["url"].startswith(BASE + "/api/pickup-slots?size=")


def test_a_studio_run_places_the_order(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    execution = run_flow(flow, client, "whatsapp:+14155550100").run(GOOD_ORDER)
    assert execution.ended_in == "order_placed"
    order = session.scalars(sa.select(Order)).one()
    assert (order.size, order.flavour, order.frosting, order.topping) == (
        "Large",
        "Chocolate",
        "Buttercream",
        "Sprinkles",
    )
    assert order.customer.email == "ada@example.com"
    assert f"order number is {order.id}" in execution.sent[-1]
    assert "Small, Medium, Large" in execution.sent[0]
    assert "Anything written on the cake? (up to 40 characters" in execution.sent[5]
    confirm = execution.sent[6]
    assert "A Large Chocolate cake with Buttercream frosting and Sprinkles" in confirm
    assert "comes to 43" in confirm
    assert 'Written on it: \u201cHappy "40th", Zoë!\u201d.' in confirm
    assert order.inscription == 'Happy "40th", Zoë!'
    assert [r[2] for r in execution.requests] == [200, 200, 200, 201]
    first = execution.sent[4].splitlines()[1].removeprefix("1. ")
    assert f"pickup {first}." in confirm
    assert f"for pickup {first}." in execution.sent[-1]
    assert order.pickup_at is not None


def test_no_inscription_is_nothing_written(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    execution = run_flow(flow, client, "+14155550100").run([*GOOD_ORDER[:5], "No", *GOOD_ORDER[6:]])
    assert execution.ended_in == "order_placed"
    assert "Nothing written on it." in execution.sent[6]
    assert session.scalars(sa.select(Order.inscription)).one() is None


def test_an_inscription_the_bakers_cannot_pipe_gets_the_sorry_message(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    execution = run_flow(flow, client, "+14155550100").run(
        [*GOOD_ORDER[:5], "Happy 🎂", *GOOD_ORDER[6:]]
    )
    assert execution.ended_in == SORRY_ERROR
    assert execution.requests[-1][2] == 422
    assert session.scalars(sa.select(Order)).all() == []


def test_a_name_with_quotes_still_makes_valid_json(
    flow: dict[str, Any], client: FlaskClient
) -> None:
    replies = [*GOOD_ORDER[:7], 'Ada "the cake" O\'Neil', GOOD_ORDER[8]]
    execution = run_flow(flow, client, "+14155550100").run(replies)
    assert execution.ended_in == "order_placed"


def test_a_cake_off_the_menu_gets_the_sorry_message(
    flow: dict[str, Any], client: FlaskClient
) -> None:
    replies = ["Large", "Banana", "Buttercream", "None"]
    execution = run_flow(flow, client, "+14155550100").run(replies)
    assert execution.ended_in == SORRY_ERROR
    assert execution.requests[-1][2] == 422
    assert execution.sent[-1].startswith("Sorry, something went wrong")


def test_no_reply_gets_the_we_did_not_hear_back_message(
    flow: dict[str, Any], client: FlaskClient
) -> None:
    execution = run_flow(flow, client, "+14155550100").run(["Large", TIMEOUT])
    assert execution.ended_in == SORRY_TIMEOUT


def test_saying_no_cancels_without_ordering(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    execution = run_flow(flow, client, "+14155550100").run([*GOOD_ORDER[:6], "No"])
    assert execution.ended_in == "order_cancelled"
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_an_unclear_confirmation_gets_the_sorry_message(
    flow: dict[str, Any], client: FlaskClient
) -> None:
    execution = run_flow(flow, client, "+14155550100").run([*GOOD_ORDER[:6], "maybe"])
    assert execution.ended_in == SORRY_ERROR


def test_a_blank_answer_gets_the_sorry_message(flow: dict[str, Any], client: FlaskClient) -> None:
    execution = run_flow(flow, client, "+14155550100").run(["   "])
    assert execution.path[-2:] == ["check_size", SORRY_ERROR]


def test_the_pickup_question_lists_free_slots_and_the_order_gets_the_chosen_one(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    slots = client.get("/api/pickup-slots?size=Small&days=14").get_json()["slots"]
    replies = [
        "Small",
        "Vanilla",
        "Buttercream",
        "None",
        "2",
        "no",
        "yes",
        "Ada",
        "ada@example.com",
    ]
    execution = run_flow(flow, client, "+14155550100").run(replies)
    assert execution.ended_in == "order_placed"
    question = execution.sent[4].splitlines()
    assert question[1:] == [f"{n}. {slot['label']}" for n, slot in enumerate(slots[:3], 1)]
    order = session.scalars(sa.select(Order)).one()
    assert order.pickup_at is not None
    assert order.pickup_at.strftime("%Y-%m-%dT%H:%M:%SZ") == slots[1]["id"]


@pytest.mark.parametrize("answer", ["saturday", "4", ""])
def test_a_pickup_answer_not_on_the_list_gets_the_sorry_message(
    flow: dict[str, Any], client: FlaskClient, answer: str
) -> None:
    execution = run_flow(flow, client, "+14155550100").run([*GOOD_ORDER[:4], answer])
    assert execution.path[-2:] == ["pickup_split", SORRY_ERROR]


def test_a_full_slot_is_not_offered(
    flow: dict[str, Any], client: FlaskClient, session: orm.Session
) -> None:
    first = client.get("/api/pickup-slots?size=Large&days=14").get_json()["slots"][0]
    for n in range(first["places_left"]):
        body = order_body()
        body["customer"]["number"] = f"+1415555{n + 200:04d}"
        body["cake"]["size"] = "Large"
        body["pickup_at"] = first["id"]
        body.pop("price", None)
        assert client.post("/api/order", json=body).status_code == 201
    execution = run_flow(flow, client, "+14155550100").run(GOOD_ORDER)
    assert execution.ended_in == "order_placed"
    assert first["label"] not in execution.sent[4]
