"""Everything around the order: small talk, the conversation at rest, and handing to a person.

`respond` is the conversation's front door: it answers what is not an answer to the step's
question (a greeting mid-order, thanks after an order, "talk to a person"), sends cancel and
move requests to `manage`, and leaves the rest to the order steps in `engine`.
"""

from __future__ import annotations

from cloudcity.calendar.hours import is_open, next_opening, opening_words
from cloudcity.chat import engine, manage, matching, wording, writing
from cloudcity.chat.engine import AGAIN, DONE, OPTIONS, PERSON, REST, START, Turn
from cloudcity.chat.matching import Intent, Keyword
from cloudcity.handoff import bot_resumes, mark_handed_off

# "help me" hands over once the bot has failed twice; before that, it gets the usual help.
MISSES_BEFORE_HANDOFF = 2
# Steps whose answer is the customer's own words: "Hi" there is what to pipe, not a greeting.
FREE_TEXT_STEPS = frozenset({writing.INSCRIPTION, writing.NOTE})
# At the name step only a bare greeting is small talk: "Ty" or "Cheers" may well be a name.
NAME_SMALL_TALK = frozenset({Intent.GREETING})


def respond(turn: Turn, text: str) -> str:
    """The reply to one text message at the conversation's current step."""
    word, found = matching.keyword(text), matching.intent(text)
    misses = turn.conversation.misses
    help_me = found is Intent.HELP_ME and word is None  # plain HELP is the usual help
    if found is Intent.FORGET_ME:  # staff confirm it and erase from the admin (GDPR art. 17)
        handed = hand_over(turn, reason="asked us to delete their data")
        return f"{wording.ERASURE_ASKED}\n{handed}"
    if found is Intent.PERSON or (help_me and misses >= MISSES_BEFORE_HANDOFF):
        return hand_over(turn, reason=f"the customer asked: {text.strip()}")
    if help_me:
        word = Keyword.HELP
    step = turn.conversation.step
    if step in manage.STEPS:
        return manage.respond(turn, text, word)
    if step == START:
        return at_rest(turn, text, word, found)
    return mid_order(turn, text, word, found)


def mid_order(turn: Turn, text: str, word: Keyword | None, found: Intent | None) -> str:
    """While ordering: keywords, then small talk answered with the question again, then the step."""
    if word is not None:
        return engine.on_keyword(turn, word)
    step = turn.conversation.step
    if step in FREE_TEXT_STEPS or (step == engine.NAME and found not in NAME_SMALL_TALK):
        return engine.respond(turn, text)
    if found is Intent.GREETING:
        hello = wording.MID_ORDER.format(
            name=wording.named(turn.customer.name), so_far=wording.so_far(turn.conversation.data)
        )
        return f"{hello}\n{engine.prompt(turn)}"
    if found is Intent.THANKS:
        return f"{wording.MID_ORDER_THANKS}\n{engine.prompt(turn)}"
    return engine.respond(turn, text)


def at_rest(turn: Turn, text: str, word: Keyword | None, found: Intent | None) -> str:
    """Nothing is being ordered: small talk, the customer's orders, or a new order."""
    if word is Keyword.CANCEL or found is Intent.CANCEL_ORDER:
        return manage.start(turn, manage.CANCEL, text)
    if found is Intent.MOVE_ORDER:
        return manage.start(turn, manage.MOVE, text)
    if word is not None:
        return engine.on_keyword(turn, word)
    if writing.told(text) is not None:  # "Hi! I'm allergic to nuts": the note starts an order
        return engine.respond(turn, text)
    offered = turn.conversation.data.get(REST)
    if found in (Intent.GREETING, Intent.ORDER):
        return engine.begin(turn)
    if found is Intent.THANKS:
        engine.rest(turn, AGAIN)
        welcome = wording.YOU_ARE_WELCOME.format(name=wording.named(turn.customer.name))
        return f"{welcome} {wording.ANOTHER if offered else wording.FIRST}"
    if found is Intent.BYE:
        engine.rest(turn)
        return wording.BYE.format(name=wording.named(turn.customer.name))
    if offered is None:
        return engine.begin(turn)  # a new conversation: whatever they wrote, start an order
    return _answer_offer(turn, text, offered)


def _answer_offer(turn: Turn, text: str, offered: object) -> str:
    """A yes, no or number answering what was offered last; else the three choices."""
    if offered == OPTIONS:
        choice = matching.match_choice(text, wording.REST_CHOICES).choice
        if choice == wording.REST_CHOICES[0]:
            return engine.begin(turn)
        if choice == wording.REST_CHOICES[1]:
            engine.rest(turn)
            return engine.status(turn, hint=True)
        if choice == wording.REST_CHOICES[2]:
            return hand_over(turn, reason="the customer chose to talk to a person")
    answer = matching.yes_or_no(text)
    if answer is not None and offered in (AGAIN, PERSON, DONE):
        if answer and offered == AGAIN:
            return engine.begin(turn)
        if answer and offered == PERSON:
            return hand_over(turn, reason="the customer accepted the offer of a person")
        engine.rest(turn)
        return wording.ACK if answer else wording.NO_THANKS
    return _options(turn)


def _options(turn: Turn) -> str:
    """Not understood at a rest point: offer to order, to check an order, or a person."""
    misses = turn.conversation.misses + 1
    engine.rest(turn, OPTIONS)
    turn.conversation.misses = misses
    return f"{wording.NOT_SURE}\n{wording.OPTIONS}"


def hand_over(turn: Turn, *, reason: str) -> str:
    """Give the conversation to staff and say when a person will answer; the bot goes quiet."""
    engine.rest(turn)  # an order in progress is dropped (its held slot given back)
    mark_handed_off(turn.conversation, reason=reason, now=turn.now)
    rules = turn.rules()
    open_now = is_open(rules, turn.now)
    opens = None if open_now else next_opening(rules, turn.now)
    when = opening_words(rules, opens, now=turn.now) if opens else None
    return wording.handed_off(shop_name=turn.shop_name, when=when, open_now=open_now)


def expire(turn: Turn) -> None:
    """Forget a question left unanswered too long: an order starts over, a change to one rests."""
    if turn.conversation.step in manage.STEPS:
        engine.rest(turn)  # a late "yes" must not cancel, nor start an order
    else:
        engine.reset(turn)


def resume(turn: Turn) -> str | None:
    """Staff handed the conversation back, or the quiet time passed: the bot says so, once."""
    return wording.RESUMED if bot_resumes(turn.conversation) else None
