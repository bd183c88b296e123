"""What the chat says: short, friendly, SMS-sized texts built from the menu and orders."""

from __future__ import annotations

from collections.abc import Sequence

from cloudcity.allergens import Allergen, words
from cloudcity.db.models import Order
from cloudcity.db.repositories.values import OpenOrder
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
# At rest no order is being made yet: the pictures wait for the next one.
KEPT_PICTURE = "Got your picture — order a cake and we'll show it to the baker."
KEPT_PICTURES = "Got your pictures — order a cake and we'll show them to the baker."
PICTURE_REFUSED = "Sorry, we couldn't take that picture."
NOT_A_PICTURE = "Sorry, I can only keep pictures (JPEG, PNG, WebP, GIF or HEIC) and read text."
NOT_A_VOICE = "Thanks! I can't listen to voice messages here, so please write to me."
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
START_HINT = "Reply ORDER for a cake."
PICKUP_QUESTION = "When would you like to pick it up?"
PICKUP_TAIL = "Or name a day and time."
PICKUP_MISSED = "Sorry, I couldn't read that as a day or time."
PICKUP_GONE = "Sorry, we couldn't keep {slot} for you."
TO_ARRANGE = "to arrange"


def pickup_question(offers: str, *, ask: str = PICKUP_QUESTION) -> str:
    """Ask for a pickup time with the numbered free slots (`offers`, one a line)."""
    return f"{ask}\n{offers}\n{PICKUP_TAIL}"


def got_pictures(accepted: int, *, resting: bool = False) -> str:
    """What a customer who sent pictures hears at once (before they are downloaded)."""
    if accepted == 0:
        return PICTURE_REFUSED
    if resting:
        return KEPT_PICTURE if accepted == 1 else KEPT_PICTURES
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


# After an order, the conversation rests: small talk gets a short answer, never a new order.
NOT_SURE = "Sorry, I'm not sure what you mean."
REST_CHOICES = ("Order a cake", "Check an order", "Talk to a person")
OPTIONS = "I can help you:\n" + "\n".join(
    f"{n}. {what}" for n, what in enumerate(REST_CHOICES, start=1)
)
ACK = "Great! Reply ORDER any time you'd like a cake."
NO_THANKS = "Okay! Text us any time you'd like a cake."
ANOTHER = "Would you like to order another cake? (yes/no)"
FIRST = "Would you like to order a cake? (yes/no)"
YOU_ARE_WELCOME = "You're welcome{name}!"
BYE = "Bye{name}! Text us any time you'd like a cake."
MID_ORDER = "Hi{name}! We're in the middle of your order{so_far}."
MID_ORDER_THANKS = "You're welcome!"

# Handing the conversation to a person.
ERASURE_ASKED = (
    "We'll delete what we hold about you once a person has checked it's really you asking."
)
HANDED_OFF = "Okay, I've asked someone at {shop} to answer you here."
OPEN_NOW = "We're open now, so someone will answer shortly."
OPENS = "We're closed now: we open {when}, and someone will answer then."
NO_HOURS = "Someone will answer as soon as they can."
RESUMED = "Thanks for waiting! You're chatting with our assistant again."

# Customers managing their own orders.
CHANGE_HINT = "Reply MOVE or CANCEL to change it, or ORDER for a new cake."
NO_OPEN = "You have no open orders to change."
WHICH = "Which order? Reply with its number:\n{lines}"
WHICH_AGAIN = "Please reply with one of these order numbers: {numbers}."
CANCEL_ASK = "Cancel order #{id} ({cake}, pickup {pickup})? (yes/no)"
CANCEL_AGAIN = "Please reply YES to cancel order #{id}, or NO to keep it."
CANCEL_DONE = "Order #{id} is cancelled. Text us any time you'd like a cake!"
KEPT = "Okay, order #{id} stays as it is."
MOVE_ASK = "When would you like to pick up order #{id} instead?"
MOVED = "Done! Order #{id} is now for pickup {pickup}."
TOO_LATE = (
    "Order #{id}'s pickup is less than {hours} hours away, so I can't change it here. "
    "Would you like to talk to a person? (yes/no)"
)
READY_ALREADY = (
    "Order #{id} is ready already, so I can't change it here. "
    "Would you like to talk to a person? (yes/no)"
)
NOT_OPEN = "Order #{id} can't be changed by chat any more: it's no longer open."


def named(name: str | None) -> str:
    """`, Ana` to follow a short greeting, or nothing for a customer we don't know yet."""
    return f", {name}" if name else ""


def so_far(data: dict[str, object]) -> str:
    """The choices made so far, ` (so far: Large, Red Velvet)`, or nothing."""
    chosen = [str(data[kind.value]) for kind in OptionKind if data.get(kind.value)]
    return f" (so far: {', '.join(chosen)})" if chosen else ""


def handed_off(*, shop_name: str, when: str | None, open_now: bool) -> str:
    """What a customer handed to staff is told: that a person will answer, and when."""
    later = OPENS.format(when=when) if when else NO_HOURS
    if open_now:
        later = OPEN_NOW
    return f"{HANDED_OFF.format(shop=shop_name)} {later}"


def order_line(order: OpenOrder, *, pickup: str) -> str:
    """`#12 Large Red Velvet, pickup Saturday 14 Dec, 14:00-14:30` (`pickup`: in words)."""
    ready = "ready, " if order.status is OrderStatus.READY else ""
    return f"#{order.id} {order.size} {order.flavour}, {ready}pickup {pickup}"


def open_orders_text(lines: Sequence[str]) -> str:
    """Several open orders, one a line (`lines` from `order_line`)."""
    return "Your open orders:\n" + "\n".join(lines)
