"""The conversation's steps: each takes the customer's answer and returns what we say back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from cloudcity.calendar.parse import NotUnderstood
from cloudcity.calendar.rules import CalendarRules
from cloudcity.chat import matching, pickups, wording, writing
from cloudcity.chat.matching import Keyword
from cloudcity.chat.pickups import PICKUP, Refused
from cloudcity.chat.writing import INSCRIPTION, NOTE, NOTE_RETURN
from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.values import ConversationState, CustomerState
from cloudcity.domain import Address, Cake, MenuItem, OptionKind
from cloudcity.money import format_money
from cloudcity.order_text import INSCRIPTION_LIMIT
from cloudcity.orders import OrderRequest, PickupUnavailable, place_order
from cloudcity.photos import attach_photos
from cloudcity.pickup import shop_rules
from cloudcity.pricing import MenuError, price

START = "start"
CONFIRM = "confirm"
CHANGE = "change"
RETURNING = "returning"
NAME = "name"
EMAIL = "email"
KINDS = list(OptionKind)
KIND_STEPS = frozenset(kind.value for kind in OptionKind)
MISSES_BEFORE_HELP = 3
# Where a note may be given: anywhere before the order is confirmed.
NOTE_STEPS = frozenset({START, *KIND_STEPS, PICKUP, INSCRIPTION, CONFIRM, CHANGE})
PHOTOS = "photos"  # in the conversation's data: ids of the pictures sent for this order
# After an order the conversation rests at START; `rest` in its data says what was offered
# last, so a "yes" or a number answers that offer.
REST = "rest"
DONE = "done"  # nothing offered
AGAIN = "again"  # "would you like to order a cake?"
OPTIONS = "options"  # order a cake, check an order, or talk to a person
PERSON = "person"  # "would you like to talk to a person?"


@dataclass
class Turn:
    """One inbound message being handled: who sent it, their conversation, where to answer."""

    uow: UnitOfWork
    customer: CustomerState
    conversation: ConversationState
    address: Address
    message_sid: str | None
    currency: str
    shop_name: str
    reminder_hour: int
    now: datetime
    hold_minutes: int
    inscription_max_chars: int = INSCRIPTION_LIMIT
    order_id: int | None = None
    self_service_cutoff: timedelta = timedelta(hours=24)
    _menu: dict[OptionKind, list[MenuItem]] | None = field(default=None, repr=False)
    _rules: CalendarRules | None = field(default=None, repr=False)

    def menu(self) -> dict[OptionKind, list[MenuItem]]:
        """What can be ordered now, read once per message however many steps need it."""
        if self._menu is None:
            self._menu = self.uow.menu.orderable_at(self.conversation.menu_version)
        return self._menu

    def rules(self) -> CalendarRules:
        """The shop's calendar rules, read once per message."""
        if self._rules is None:
            self._rules = shop_rules(self.uow)
        return self._rules

    def remember(self, **values: Any) -> None:
        """Merge values into the conversation's data (a new dict, so the JSON column saves)."""
        self.conversation.data = {**self.conversation.data, **values}

    def go(self, step: str) -> None:
        """Move to a step; a step reached by a good answer starts with no misses."""
        self.conversation.step = step
        self.conversation.misses = 0


def reset(turn: Turn) -> None:
    """Forget everything chosen so far (a held pickup slot is given back); start a new order."""
    pickups.release(turn)
    conversation = turn.conversation
    conversation.step = START
    conversation.data = {}
    conversation.misses = 0


def rest(turn: Turn, offer: str = DONE) -> None:
    """Nothing is being ordered now: the conversation waits, remembering what was offered."""
    reset(turn)
    turn.remember(**{REST: offer})


def respond(turn: Turn, text: str) -> str:
    """The reply to one text answer at the conversation's current step."""
    found = matching.keyword(text)
    if found is not None:
        return on_keyword(turn, found)
    said = writing.told(text) if turn.conversation.step in NOTE_STEPS else None
    if said is not None:
        return on_note(turn, said)
    step = STEPS.get(turn.conversation.step)
    return begin(turn) if step is None else step(turn, text)


def is_resting(turn: Turn) -> bool:
    """True after an order or a handoff: nothing is being ordered, an offer may be answered."""
    conversation = turn.conversation
    return conversation.step == START and conversation.data.get(REST) is not None


def begin(turn: Turn, opening: str | None = None) -> str:
    """Greet and ask the first question.

    Pictures sent while nothing was being ordered go to this order; a restart drops them.
    """
    waiting = photo_ids(turn) if turn.conversation.step == START else []
    reset(turn)
    if waiting:
        turn.remember(**{PHOTOS: waiting})
    turn.go(OptionKind.SIZE.value)
    hello = opening or wording.greeting(shop_name=turn.shop_name, name=turn.customer.name)
    return f"{hello}\n{prompt(turn)}"


def prompt(turn: Turn) -> str:
    """The question of the current step, asked again."""
    step = turn.conversation.step
    if step in KIND_STEPS:
        kind = OptionKind(step)
        return wording.question(kind, turn.menu()[kind], turn.currency)
    if step == PICKUP:
        return pickups.question(turn)
    if step == INSCRIPTION:
        return wording.INSCRIPTION_QUESTION.format(limit=turn.inscription_max_chars)
    if step == NOTE:
        return wording.ASK_NOTE
    if step == CONFIRM:
        return _confirm_question(turn)
    if step == CHANGE:
        return wording.change_question()
    if step == RETURNING:
        customer = turn.customer
        return wording.RETURNING.format(name=customer.name, email=customer.email)
    if step == NAME:
        return wording.ASK_NAME
    if step == EMAIL:
        return wording.ASK_EMAIL
    return wording.START_HINT


def on_keyword(turn: Turn, word: Keyword) -> str:
    """RESTART, CANCEL, HELP, MENU and STATUS, the same at every step."""
    if word is Keyword.RESTART:
        return begin(turn, wording.RESTARTED)
    if word is Keyword.CANCEL:
        reset(turn)
        return wording.CANCELLED
    if word is Keyword.HELP:
        turn.conversation.misses = 0
        return f"{wording.HELP}\n{wording.NOTE_HELP}\n\n{prompt(turn)}"
    if word is Keyword.MENU:
        text = f"{wording.menu_text(turn.menu(), turn.currency)}\n{wording.NOTE_HELP}"
        step = turn.conversation.step
        if step in KIND_STEPS:  # the full menu is long already: just name the question
            return f"{text}\n\n{wording.QUESTIONS[OptionKind(step)]}"
        return _with_prompt(turn, text)
    if word is Keyword.STATUS:
        if turn.conversation.step == START:
            return status(turn, hint=True)
        return _with_prompt(turn, status(turn))
    raise ValueError(f"{word} is handled before the conversation")


def status(turn: Turn, *, hint: bool = False) -> str:
    """The customer's open orders with their pickup times; else how the latest one ended.

    With `hint`, what the customer may do next follows (at rest, with no question to ask).
    """
    orders = turn.uow.orders
    open_orders = orders.open_for_customer(turn.customer.id)
    if len(open_orders) > 1:
        lines = [
            wording.order_line(o, pickup=pickups.label(turn, o.pickup_at)) for o in open_orders
        ]
        text = wording.open_orders_text(lines)
    else:
        order = orders.get(open_orders[0].id) if open_orders else None
        order = order or orders.latest_for_customer(turn.customer.id)
        pickup = pickups.label(turn, order.pickup_at) if order and order.pickup_at else None
        text = wording.status_text(order, pickup=pickup)
    if not hint:
        return text
    return f"{text}\n{wording.CHANGE_HINT if open_orders else wording.START_HINT}"


def _with_prompt(turn: Turn, text: str) -> str:
    if turn.conversation.step == START:
        return f"{text}\n{wording.START_HINT}"
    return f"{text}\n\n{prompt(turn)}"


def miss(turn: Turn, apology: str = wording.MISSED, question: str | None = None) -> str:
    """Ask the question again (`question`, "" for none); from the third miss on, offer help."""
    turn.conversation.misses += 1
    asked = prompt(turn) if question is None else question
    text = f"{apology}\n{asked}" if asked else apology
    if turn.conversation.misses >= MISSES_BEFORE_HELP:
        text += f"\n{wording.STUCK}"
    return text


def on_choice(turn: Turn, text: str) -> str:
    """A size, flavour, frosting or topping, matched against what the menu offers now."""
    kind = OptionKind(turn.conversation.step)
    names = [option.name for option in turn.menu()[kind]]
    found = matching.match_choice(text, names)
    if found.choice is None:
        return miss(turn, wording.not_understood(found.candidates))
    turn.remember(**{kind.value: found.choice})
    if kind is OptionKind.SIZE and (too_soon := pickups.too_soon_for_size(turn)):
        turn.go(PICKUP)  # a bigger cake needs more notice than the time chosen gives
        return too_soon
    if turn.conversation.data.get("editing") or kind is OptionKind.TOPPING:
        return to_confirm(turn)
    turn.go(KINDS[KINDS.index(kind) + 1].value)
    return prompt(turn)


def to_confirm(turn: Turn) -> str:
    """Price the cake and ask whether to place it; first ask what is still unanswered.

    The pickup time when none is held, then (once) what to write on the cake.
    """
    turn.remember(editing=False)
    if pickups.chosen(turn) is None:
        turn.go(PICKUP)
    else:
        turn.go(CONFIRM if writing.asked(turn) else INSCRIPTION)
    return prompt(turn)


def on_pickup(turn: Turn, text: str) -> str:
    """A pickup time: held for the customer, or refused with others offered, or asked again."""
    found = pickups.choose(turn, text)
    if isinstance(found, NotUnderstood):
        return miss(turn, wording.PICKUP_MISSED)
    if isinstance(found, Refused):
        turn.conversation.misses = 0
        return found.text
    text = to_confirm(turn)
    if turn.conversation.step == INSCRIPTION:  # say which time was taken before moving on
        text = f"{wording.PICKUP_HELD.format(pickup=pickups.label(turn, found.start))}\n{text}"
    return text


def on_inscription(turn: Turn, text: str) -> str:
    """What to write on the cake, or "no"; what can't be piped is refused and asked again."""
    if matching.yes_or_no(text) is True:
        return wording.INSCRIPTION_WHAT
    refused = writing.take_inscription(turn, text, limit=turn.inscription_max_chars)
    return miss(turn, refused) if refused else to_confirm(turn)


def on_note(turn: Turn, said: str) -> str:
    """A note at any step before confirming: kept, and the step's question asked again."""
    opening = begin(turn) if turn.conversation.step == START else None
    if not said:  # a bare NOTE: ask for it, then come back here
        turn.remember(**{NOTE_RETURN: turn.conversation.step})
        turn.go(NOTE)
        return prompt(turn)
    return f"{writing.add_note(turn, said)}\n{opening or prompt(turn)}"


def on_note_step(turn: Turn, text: str) -> str:
    """The answer to "what should we tell the bakers?": it replaces the note."""
    said = writing.told(text) or text
    answer = writing.add_note(turn, said, replace=True)
    back = turn.conversation.data.get(NOTE_RETURN)
    if back in (CONFIRM, CHANGE) or not isinstance(back, str):
        return f"{answer}\n{to_confirm(turn)}"
    turn.go(back)
    return f"{answer}\n{prompt(turn)}"


def ask_pickup(turn: Turn) -> str:
    """Ask for the pickup time again, giving back the one held (it may be chosen again)."""
    pickups.release(turn)
    turn.go(PICKUP)
    return prompt(turn)


def _confirm_question(turn: Turn) -> str:
    try:
        priced = price(turn.menu(), chosen_cake(turn))
    except MenuError as exc:
        return _gone_off_menu(turn, exc)
    cake = priced.cake
    words = wording.cake_words(cake.size, cake.flavour, cake.frosting, cake.topping)
    total = format_money(priced.total_cents, turn.currency)
    pickup = pickups.label(turn, pickups.chosen(turn))
    contains = wording.contains(priced.allergens, priced.may_contain)
    extras = f"{contains}\n{writing.read_back(turn)}"
    return wording.CONFIRM.format(cake=words, price=total, pickup=pickup, extras=extras)


def _gone_off_menu(turn: Turn, exc: MenuError) -> str:
    """An option was switched off since it was chosen: ask that step again."""
    kind = OptionKind(exc.problems[0].field.removeprefix("cake."))
    name = turn.conversation.data.get(kind.value, kind.value)
    turn.remember(editing=True)
    turn.go(kind.value)
    return f"{wording.NOT_AVAILABLE.format(name=name)}\n{prompt(turn)}"


def photo_ids(turn: Turn) -> list[int]:
    """The pictures the customer sent during this order, by id."""
    return [int(photo_id) for photo_id in turn.conversation.data.get(PHOTOS, [])]


def chosen_cake(turn: Turn) -> Cake:
    """The cake chosen so far (every step answered)."""
    data = turn.conversation.data
    return Cake(**{kind.value: str(data.get(kind.value, "")) for kind in OptionKind})


def on_confirm(turn: Turn, text: str) -> str:
    """Yes goes on to the customer's details; no offers to change something."""
    answer = matching.yes_or_no(text)
    if answer is None:
        return miss(turn, wording.CONFIRM_AGAIN)
    customer = turn.customer
    turn.go(CHANGE if not answer else RETURNING if customer.name and customer.email else NAME)
    return prompt(turn)


def on_change(turn: Turn, text: str) -> str:
    """Which part of the cake to change; the answer to it leads straight back to confirm."""
    found = matching.match_choice(text, wording.CHANGEABLE)
    if found.choice is None:
        return miss(turn, wording.not_understood(found.candidates))
    turn.remember(editing=True)
    if found.choice == wording.PICKUP_TIME:
        return ask_pickup(turn)
    if found.choice == wording.INSCRIPTION_PART:
        turn.go(INSCRIPTION)
        return prompt(turn)
    if found.choice == wording.NOTE_PART:
        turn.remember(**{NOTE_RETURN: CONFIRM})
        turn.go(NOTE)
        return prompt(turn)
    turn.go(found.choice.lower())
    return prompt(turn)


def on_returning(turn: Turn, text: str) -> str:
    """A returning customer orders with the name and email on file, or gives new ones."""
    answer = matching.yes_or_no(text)
    if answer is None:
        return miss(turn, wording.CONFIRM_AGAIN)
    if answer:
        return place(turn, name=turn.customer.name or "", email=turn.customer.email or "")
    turn.go(NAME)
    return prompt(turn)


def on_name(turn: Turn, text: str) -> str:
    """The name for the order."""
    name = matching.person_name(text)
    if name is None:
        return miss(turn, wording.BAD_NAME)
    turn.remember(name=name)
    turn.go(EMAIL)
    return f"{wording.THANKS.format(name=name)} {prompt(turn)}"


def on_email(turn: Turn, text: str) -> str:
    """The receipt's email address (syntax only: no DNS lookups from a webhook)."""
    try:
        email = validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        return miss(turn, wording.BAD_EMAIL.format(problem=exc))
    return place(turn, name=str(turn.conversation.data.get("name", "")), email=email)


def place(turn: Turn, *, name: str, email: str) -> str:
    """Place the order (once per inbound message) and start the conversation over."""
    key = f"chat:{turn.message_sid}" if turn.message_sid else None
    request = OrderRequest(
        address=turn.address,
        name=name,
        email=email,
        cake=chosen_cake(turn),
        currency=turn.currency,
        idempotency_key=key,
        source="chat",
        pickup_at=pickups.chosen(turn),
        inscription=writing.written(turn),
        note=writing.noted(turn),
    )
    try:
        placed = place_order(
            uow=turn.uow, request=request, now=turn.now, reminder_hour=turn.reminder_hour
        )
    except MenuError as exc:
        return _gone_off_menu(turn, exc)
    except PickupUnavailable as exc:  # the hold lapsed and the place went meanwhile
        text = pickups.gone(turn, exc.refusal)
        turn.go(PICKUP)
        return text
    pickup = pickups.label(turn, placed.order.pickup_at)
    pickups.forget(turn)  # the order took the held place over
    attach_photos(
        uow=turn.uow,
        photo_ids=photo_ids(turn),
        address=turn.address.twilio,
        order_id=placed.order.id,
    )
    rest(turn)
    turn.order_id = placed.order.id
    return wording.placed(placed.order, pickup=pickup)


STEPS: dict[str, Callable[[Turn, str], str]] = {
    **{kind.value: on_choice for kind in OptionKind},
    PICKUP: on_pickup,
    INSCRIPTION: on_inscription,
    NOTE: on_note_step,
    CONFIRM: on_confirm,
    CHANGE: on_change,
    RETURNING: on_returning,
    NAME: on_name,
    EMAIL: on_email,
}
