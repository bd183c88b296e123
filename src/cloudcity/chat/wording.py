"""What the chat says: short, friendly, SMS-sized texts built from the menu and orders."""

from __future__ import annotations

from collections.abc import Sequence

from cloudcity.allergens import Allergen, words
from cloudcity.db.models import Order
from cloudcity.domain import MenuItem, OptionKind, OrderStatus
from cloudcity.money import format_money
from cloudcity.orders import PlacedOrder

QUESTIONS = {
    OptionKind.SIZE: "What size would you like?",
    OptionKind.FLAVOUR: "Which flavour?",
    OptionKind.FROSTING: "Which frosting?",
    OptionKind.TOPPING: "And a topping?",
}
PICKUP_TIME = "Pickup time"
INSCRIPTION_PART = "Inscription"
NOTE_PART = "Note"
CHANGEABLE = ("Size", "Flavour", "Frosting", "Topping", PICKUP_TIME, INSCRIPTION_PART, NOTE_PART)

UNREADABLE_ADDRESS = (
    "Sorry, we couldn't read the phone number this came from. Please write from a mobile "
    "number with its country code."
)
EXPIRED = "It's been a while, so let's start fresh."
NOT_TEXT = "Thanks! I can only read text here, so please answer in words."
MISSED = "Sorry, I didn't catch that."
GOT_PICTURE = "Got your picture — we'll show it to the baker."
GOT_PICTURES = "Got your pictures — we'll show them to the baker."
PICTURE_REFUSED = "Sorry, we couldn't take that picture."
NOT_A_PICTURE = "Sorry, I can only keep pictures (JPEG, PNG, WebP, GIF or HEIC) and read text."
ENOUGH_PICTURES = "Thanks! We already have {count} pictures, all the baker can use for one cake."
STUCK = "Stuck? Reply with the number of your choice, or HELP / RESTART."
HELP = (
    "Reply with the number or the name of your choice. Send MENU for prices, STATUS for your "
    "latest order, RESTART to start over, CANCEL to stop this order."
)
NOTE_HELP = "Allergy or a wish? Send NOTE and your words before you confirm."
RESTARTED = "Okay, let's start over."
CANCELLED = "Okay, I've cancelled that order. Text us any time you'd like a cake!"
OPTED_IN = "Welcome back, you'll hear from us again."
NOT_AVAILABLE = "Sorry, {name} isn't available any more."
CONFIRM = "{cake} comes to {price}, pickup {pickup}.\n{extras}\nShall we place the order? (yes/no)"
PICKUP_HELD = "Got it: pickup {pickup}."
INSCRIPTION_QUESTION = "Anything written on the cake? (up to {limit} characters, or 'no')"
INSCRIPTION_WHAT = "Lovely! What should it say?"
WRITTEN = "Written on it: {text}"
NOTHING_WRITTEN = "Nothing written on it."
NOTE_LINE = "Note for the bakers: {note}"
NOTE_HINT = "Any allergy? Send NOTE and tell us."
ASK_NOTE = "What should we tell the bakers (an allergy, a wish)? Or 'no' for no note."
NOTED = "Noted for the bakers: {note}"
NOTE_CLEARED = "Okay, no note for the bakers."
NO_ALLERGENS = "none of the 14 major allergens"
CONFIRM_AGAIN = "Please reply YES to place the order, or NO to change something."
CHANGE = "No problem! What would you like to change?"
CHANGE_TAIL = "Or reply RESTART to start over."
RETURNING = "Shall we order as {name}, {email}? (yes/no)"
ASK_NAME = "What name should we put on the order?"
BAD_NAME = "Please send the name for the order (up to 100 characters)."
ASK_EMAIL = "What email should we send the receipt to?"
THANKS = "Thanks, {name}!"
BAD_EMAIL = "That email doesn't look right: {problem} Please send it again."
SOLD_OUT = "Sorry, we can't take orders right now: we're out of every {kind}. Please try later."
START_HINT = "Send any message to order a cake."
PICKUP_QUESTION = "When would you like to pick it up?"
PICKUP_TAIL = "Or name a day and time."
PICKUP_MISSED = "Sorry, I couldn't read that as a day or time."
PICKUP_GONE = "Sorry, we couldn't keep {slot} for you."
TO_ARRANGE = "to arrange"


def pickup_question(offers: str) -> str:
    """Ask for a pickup time with the numbered free slots (`offers`, one a line)."""
    return f"{PICKUP_QUESTION}\n{offers}\n{PICKUP_TAIL}"


def got_pictures(accepted: int) -> str:
    """What a customer who sent pictures hears at once (before they are downloaded)."""
    if accepted == 0:
        return PICTURE_REFUSED
    return GOT_PICTURE if accepted == 1 else GOT_PICTURES


def greeting(*, shop_name: str, name: str | None) -> str:
    """The first line of a new conversation."""
    hello = f"Hi {name}!" if name else "Hi!"
    return f"{hello} Welcome to {shop_name}. Let's make your cake."


def question(kind: OptionKind, options: Sequence[MenuItem], currency: str) -> str:
    """One step's question with the numbered choices the menu offers now."""
    if not options:
        return SOLD_OUT.format(kind=kind.value)
    lines = [QUESTIONS[kind]]
    for number, option in enumerate(options, start=1):
        lines.append(f"{number}. {option.name}{_price(kind, option, currency)}")
    return "\n".join(lines)


def _price(kind: OptionKind, option: MenuItem, currency: str) -> str:
    if kind is OptionKind.SIZE:
        return f" {short_money(option.price_cents, currency)}"
    return f" +{short_money(option.price_cents, currency)}" if option.price_cents else ""


def short_money(cents: int, currency: str) -> str:
    """A price for a list, in few characters: $20, $2.50 (every character counts in an SMS)."""
    text = format_money(cents, currency)
    return text.removesuffix(".00")


def not_understood(candidates: Sequence[str]) -> str:
    """The apology before a question is asked again."""
    if candidates:
        return f"Did you mean {' or '.join(candidates)}?"
    return MISSED


def change_question() -> str:
    """What a customer who said no at the confirm step may change."""
    lines = [CHANGE, *(f"{n}. {what}" for n, what in enumerate(CHANGEABLE, start=1))]
    return "\n".join([*lines, CHANGE_TAIL])


def cake_words(size: str, flavour: str, frosting: str, topping: str) -> str:
    """`A Large Vanilla cake with Buttercream frosting and Sprinkles`."""
    finish = "no topping" if topping.casefold() == "none" else topping
    return f"A {size} {flavour} cake with {frosting} frosting and {finish}"


def contains(allergens: Sequence[Allergen], may_contain: str) -> str:
    """`Contains: gluten, eggs, milk. May contain: tree nuts.`: what a cake is made with."""
    text = f"Contains: {words(allergens) or NO_ALLERGENS}."
    return f"{text} May contain: {may_contain.rstrip('.')}." if may_contain else text


def placed(order: PlacedOrder, *, pickup: str) -> str:
    """The confirmation that carries the order number and the pickup time (`pickup`, in words)."""
    return (
        f"Done! Order #{order.id} is placed: {order.cake.size} {order.cake.flavour} cake, "
        f"{format_money(order.price_cents, order.currency)}, pickup {pickup}. "
        f"Receipt on its way to {order.email}. Thanks!"
    )


def menu_text(grouped: dict[OptionKind, list[MenuItem]], currency: str) -> str:
    """The whole menu with prices and each option's allergens, one line per kind."""
    lines = []
    for kind, options in grouped.items():
        items = ", ".join(
            option.name + _price(kind, option, currency) + _allergens(option) for option in options
        )
        lines.append(f"{kind.value.title()}: {items or 'none today'}")
    return "\n".join(lines)


def _allergens(option: MenuItem) -> str:
    """` (gluten, eggs; may contain tree nuts)`, or nothing for an option with neither."""
    parts = [words(option.allergens)] if option.allergens else []
    if option.may_contain:
        parts.append(f"may contain {option.may_contain}")
    return f" ({'; '.join(parts)})" if parts else ""


STATUS_WORDS = {
    OrderStatus.PLACED: "is in the oven queue; we'll message you when it's ready",
    OrderStatus.READY: "is ready for pickup!",
    OrderStatus.PICKED_UP: "was picked up. Enjoy!",
    OrderStatus.CANCELLED: "was cancelled",
}


WITH_PICKUP = {
    OrderStatus.PLACED: "is in the oven queue, for pickup {pickup}",
    OrderStatus.READY: "is ready for pickup {pickup}",
}
ARRANGE = {
    OrderStatus.PLACED: (
        f"is in the oven queue, pickup {TO_ARRANGE}; we'll message you when it's ready"
    )
}


def status_text(order: Order | None, *, pickup: str | None = None) -> str:
    """The state of a customer's latest order in one sentence, with its pickup time if any."""
    if order is None:
        return "You don't have any orders with us yet."
    words = STATUS_WORDS[order.status]
    if pickup and order.status in WITH_PICKUP:
        words = WITH_PICKUP[order.status].format(pickup=pickup)
    elif not pickup:
        words = ARRANGE.get(order.status, words)
    if order.status is OrderStatus.CANCELLED and order.cancel_reason:
        words += f" ({order.cancel_reason})"
    return f"Your order #{order.id} ({order.size} {order.flavour} cake) {words}."
