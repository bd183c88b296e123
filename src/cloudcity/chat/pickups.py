"""The chat's pickup step: offer free slots, read the answer, hold the slot until the order.

What was offered is kept in the conversation's data (`offered`, slot starts in UTC) so "2"
picks from the list the customer saw, with when (`offered_at`): for as long as a hold lasts,
a number is judged on the notice it had when offered. The held slot is `pickup`. A hold is
ended whenever the conversation forgets it (restart, cancel, expiry, a new choice) and used
up by the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cloudcity.calendar import (
    Accepted,
    FreeSlot,
    PickupQuery,
    Reason,
    Refusal,
    Slot,
    day_slots,
    next_free,
    numbered,
    refusal_message,
    slot_label,
)
from cloudcity.calendar.availability import refuse
from cloudcity.calendar.choose import choose_pickup
from cloudcity.calendar.parse import NotUnderstood
from cloudcity.calendar.rules import CalendarRules
from cloudcity.chat import wording
from cloudcity.pickup import PickupUnavailable, hold_pickup, pickup_query, release_hold

if TYPE_CHECKING:
    from cloudcity.chat.engine import Turn

OFFERED = 3  # three slots keep the question within one SMS
PICKUP = "pickup"
OFFERS = "offered"
OFFERED_AT = "offered_at"


@dataclass(frozen=True)
class Refused:
    """The answer was understood but cannot be served: why, and the alternatives offered."""

    text: str


def question(turn: Turn, ask: str = wording.PICKUP_QUESTION) -> str:
    """Ask when they will pick the cake up, offering the next free slots (remembered)."""
    query = _query(turn)
    free = next_free(query, count=OFFERED)
    if not free:
        return refused(turn, refuse(query, Reason.NOTHING_FREE, near=query.earliest)).text
    _offer(turn, free)
    return wording.pickup_question(numbered(free, locale=query.rules.locale), ask=ask)


def choose(turn: Turn, text: str) -> Slot | Refused | NotUnderstood:
    """Hold the slot the answer asks for; or why not, with others offered; or not understood."""
    verdict = read(turn, text)
    return _hold(turn, verdict) if isinstance(verdict, Accepted) else verdict


def read(turn: Turn, text: str) -> Accepted | Refused | NotUnderstood:
    """The slot the answer asks for, free now (nothing held); or why not; or not understood."""
    query = _query(turn)
    offered = _offered(turn, query.rules)
    verdict = choose_pickup(text, query=query, offered=offered, offered_at=_offered_at(turn))
    if isinstance(verdict, Refusal):
        return refused(turn, verdict)
    return verdict


def _hold(turn: Turn, verdict: Accepted) -> Slot | Refused:
    try:
        hold_pickup(
            uow=turn.uow,
            address=turn.address.twilio,
            verdict=verdict,
            now=turn.now,
            minutes=turn.hold_minutes,
            size=_size(turn),
        )
    except PickupUnavailable as exc:  # someone else took the last place a moment ago
        return refused(turn, exc.refusal)
    turn.remember(**{PICKUP: verdict.slot.start.isoformat(), OFFERS: [], OFFERED_AT: None})
    return verdict.slot


def chosen(turn: Turn) -> datetime | None:
    """The pickup time held for this conversation, if one was chosen."""
    value = turn.conversation.data.get(PICKUP)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def release(turn: Turn) -> None:
    """Give back the slot held for this conversation (if any) and forget it."""
    if chosen(turn) is not None:
        release_hold(uow=turn.uow, address=turn.address.twilio)
        forget(turn)


def forget(turn: Turn) -> None:
    """Forget the chosen pickup time without giving its place back (an order took it)."""
    turn.remember(**{PICKUP: None})


def gone(turn: Turn, refusal: Refusal) -> str:
    """At placing, the chosen time could not be kept: say so and offer the nearest others."""
    start = chosen(turn)
    release(turn)
    rules = turn.rules()
    label = slot_label(slot_at(rules, start), locale=rules.locale) if start else "that time"
    return f"{wording.PICKUP_GONE.format(slot=label)}\n{refused(turn, refusal).text}"


def too_soon_for_size(turn: Turn) -> str | None:
    """After a size change: why the held time no longer gives enough notice, or None if it does."""
    start = chosen(turn)
    if start is None:
        return None
    query = _query(turn)
    if start >= query.earliest:
        return None
    release(turn)
    return refused(turn, refuse(query, Reason.TOO_SOON, near=start)).text


def label(turn: Turn, start: datetime | None) -> str:
    """A pickup time in words ("Saturday 14 Dec, 14:00-14:30"), or "to arrange"."""
    if start is None:
        return wording.TO_ARRANGE
    rules = turn.rules()
    return slot_label(slot_at(rules, start), locale=rules.locale)


def slot_at(rules: CalendarRules, start: datetime) -> Slot:
    """The shop's slot starting at `start` (a slot length long if the rules changed since)."""
    local_day = start.astimezone(rules.tz).date()
    found = next((s for s in day_slots(rules, local_day) if s.start == start), None)
    return found or Slot(start, start + rules.slot_length, rules.tz)


def refused(turn: Turn, refusal: Refusal) -> Refused:
    """Why a time can't be had, with the nearest free slots offered (remembered)."""
    _offer(turn, refusal.alternatives)
    return Refused(refusal_message(refusal, rules=turn.rules()))


def _offer(turn: Turn, free: Sequence[FreeSlot]) -> None:
    starts = [f.slot.start.isoformat() for f in free]
    turn.remember(**{OFFERS: starts, OFFERED_AT: turn.now.isoformat()})


def _offered_at(turn: Turn) -> datetime | None:
    """When the list was offered, if recently enough (a hold's time) to judge notice by it."""
    value = turn.conversation.data.get(OFFERED_AT)
    if not isinstance(value, str):
        return None
    offered_at = datetime.fromisoformat(value)
    return offered_at if turn.now - offered_at <= timedelta(minutes=turn.hold_minutes) else None


def _offered(turn: Turn, rules: CalendarRules) -> list[FreeSlot]:
    # Places left are checked again when one is chosen: only the starts need remembering.
    starts = turn.conversation.data.get(OFFERS) or []
    return [FreeSlot(slot_at(rules, datetime.fromisoformat(s)), 1) for s in starts]


def _query(turn: Turn) -> PickupQuery:
    return pickup_query(turn.uow, size=_size(turn), now=turn.now)


def _size(turn: Turn) -> str | None:
    size = turn.conversation.data.get("size")
    return size if isinstance(size, str) else None
