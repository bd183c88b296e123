"""Customers managing their own orders by chat: cancel one, or move its pickup.

Allowed for an order still being baked, up to a cut-off before its pickup (the shop's
setting); after it the customer is offered a person instead. The change goes through the
same use cases as the baker's (`fulfilment`), so the place is freed or checked, the reminder
follows, and the order's timeline shows the customer did it.
"""

from __future__ import annotations

from collections.abc import Callable

from cloudcity.calendar import Accepted
from cloudcity.calendar.parse import NotUnderstood
from cloudcity.chat import engine, matching, pickups, wording
from cloudcity.chat.engine import Turn
from cloudcity.chat.matching import Keyword
from cloudcity.db.repositories.values import OpenOrder
from cloudcity.domain import OrderStatus
from cloudcity.fulfilment import OrderNotFound, TransitionError, cancel_order, reschedule
from cloudcity.pickup import PickupUnavailable

CANCEL = "cancel"
MOVE = "move"
WHICH = "which_order"
CANCELLING = "cancel_order"
MOVING = "move_pickup"
ACTION = "action"
ORDER = "order"
ACTOR = "customer"
REASON = "cancelled by the customer in the chat"


def start(turn: Turn, action: str, text: str) -> str:
    """Begin cancelling or moving: the order named, the only one open, or ask which."""
    open_orders = _open(turn)
    engine.reset(turn)
    if not open_orders:
        engine.rest(turn)
        return f"{wording.NO_OPEN}\n{wording.START_HINT}"
    turn.remember(**{ACTION: action})
    number = matching.order_number(text)
    chosen = [o for o in open_orders if o.id == number] if number else []
    if len(open_orders) == 1 and number is None:
        chosen = open_orders
    if chosen:
        return _begin(turn, chosen[0])
    turn.go(WHICH)
    return prompt(turn)


def respond(turn: Turn, text: str, word: Keyword | None) -> str:
    """An answer while cancelling or moving an order."""
    if word is Keyword.RESTART:
        return engine.begin(turn, wording.RESTARTED)
    if word is Keyword.CANCEL:
        return _keep(turn)
    if word is Keyword.STATUS:
        return f"{engine.status(turn)}\n\n{prompt(turn)}"
    if word is not None:  # HELP, MENU: leave this for the usual answers
        engine.rest(turn)
        return engine.on_keyword(turn, word)
    if matching.intent(text) is matching.Intent.GREETING:
        return f"Hi{wording.named(turn.customer.name)}!\n{prompt(turn)}"
    return STEPS[turn.conversation.step](turn, text)


def prompt(turn: Turn) -> str:
    """The question of the current self-service step, asked again."""
    step, open_orders = turn.conversation.step, _open(turn)
    if step == WHICH:
        lines = [_line(turn, order) for order in open_orders]
        return wording.WHICH.format(lines="\n".join(lines))
    order = _chosen(turn, open_orders)
    if order is None:
        return wording.NOT_OPEN.format(id=turn.conversation.data.get(ORDER))
    if step == CANCELLING:
        cake = f"{order.size} {order.flavour} cake"
        pickup = pickups.label(turn, order.pickup_at)
        return wording.CANCEL_ASK.format(id=order.id, cake=cake, pickup=pickup)
    return pickups.question(turn, ask=wording.MOVE_ASK.format(id=order.id))


def on_which(turn: Turn, text: str) -> str:
    """Which open order, by its number."""
    open_orders = _open(turn)
    number = matching.order_number(text)
    chosen = next((o for o in open_orders if o.id == number), None)
    if chosen is None:
        numbers = ", ".join(f"#{order.id}" for order in open_orders)
        return _miss(turn, wording.WHICH_AGAIN.format(numbers=numbers))
    return _begin(turn, chosen)


def on_cancelling(turn: Turn, text: str) -> str:
    """Yes cancels the order (the place is freed, the reminder not sent); no keeps it."""
    order = _chosen(turn, _open(turn))
    if order is None:
        return _closed(turn)
    answer = matching.yes_or_no(text)
    if answer is None:
        return engine.miss(turn, wording.CANCEL_AGAIN.format(id=order.id), question="")
    if not answer:
        return _keep(turn)
    if (refusal := _cannot_change(turn, order)) is not None:
        return refusal
    try:
        cancel_order(
            uow=turn.uow,
            order_id=order.id,
            actor=ACTOR,
            reason=REASON,
            now=turn.now,
            tell_customer=False,
        )
    except (TransitionError, OrderNotFound):  # picked up or cancelled a moment ago
        return _closed(turn)
    engine.rest(turn)
    return wording.CANCEL_DONE.format(id=order.id)


def on_moving(turn: Turn, text: str) -> str:
    """A new pickup time: checked against the calendar and its capacity, then booked."""
    order = _chosen(turn, _open(turn))
    if order is None:
        return _closed(turn)
    found = pickups.read(turn, text)
    if isinstance(found, NotUnderstood):
        return _miss(turn, wording.PICKUP_MISSED)
    if not isinstance(found, Accepted):
        turn.conversation.misses = 0
        return found.text
    if (refusal := _cannot_change(turn, order)) is not None:
        return refusal
    return _move(turn, order, found)


def _move(turn: Turn, order: OpenOrder, found: Accepted) -> str:
    try:
        reschedule(
            uow=turn.uow,
            order_id=order.id,
            start=found.slot.start,
            actor=ACTOR,
            now=turn.now,
            reminder_hour=turn.reminder_hour,
            tell_customer=False,
        )
    except PickupUnavailable as exc:  # the last place went a moment ago
        return pickups.refused(turn, exc.refusal).text
    except (TransitionError, OrderNotFound):
        return _closed(turn)
    engine.rest(turn)
    return wording.MOVED.format(id=order.id, pickup=pickups.label(turn, found.slot.start))


def _begin(turn: Turn, order: OpenOrder) -> str:
    """The order is chosen: refuse it after the cut-off, else ask to confirm or for a time."""
    if (refusal := _cannot_change(turn, order)) is not None:
        return refusal
    action = turn.conversation.data.get(ACTION)
    turn.remember(**{ORDER: order.id, "size": order.size})
    turn.go(CANCELLING if action == CANCEL else MOVING)
    return prompt(turn)


def _cannot_change(turn: Turn, order: OpenOrder) -> str | None:
    """Why the customer can't change this order by chat (a person is offered), or None."""
    if order.status is OrderStatus.READY:
        text = wording.READY_ALREADY.format(id=order.id)
    elif order.pickup_at is not None and order.pickup_at - turn.now < turn.self_service_cutoff:
        hours = int(turn.self_service_cutoff.total_seconds() // 3600)
        text = wording.TOO_LATE.format(id=order.id, hours=hours)
    else:
        return None
    engine.rest(turn, engine.PERSON)
    return text


def _miss(turn: Turn, apology: str) -> str:
    return engine.miss(turn, apology, prompt(turn))


def _keep(turn: Turn) -> str:
    number = turn.conversation.data.get(ORDER)
    engine.rest(turn)
    return wording.KEPT.format(id=number) if number else wording.NO_THANKS


def _closed(turn: Turn) -> str:
    number = turn.conversation.data.get(ORDER)
    engine.rest(turn)
    return wording.NOT_OPEN.format(id=number)


def _open(turn: Turn) -> list[OpenOrder]:
    return turn.uow.orders.open_for_customer(turn.customer.id)


def _chosen(turn: Turn, open_orders: list[OpenOrder]) -> OpenOrder | None:
    number = turn.conversation.data.get(ORDER)
    return next((order for order in open_orders if order.id == number), None)


def _line(turn: Turn, order: OpenOrder) -> str:
    return wording.order_line(order, pickup=pickups.label(turn, order.pickup_at))


STEPS: dict[str, Callable[[Turn, str], str]] = {
    WHICH: on_which,
    CANCELLING: on_cancelling,
    MOVING: on_moving,
}
