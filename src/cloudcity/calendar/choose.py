"""From a customer's answer to a slot: read it, then book-check it against the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from cloudcity.calendar.availability import (
    FreeSlot,
    PickupQuery,
    Reason,
    Verdict,
    check,
    first_free_on,
    next_free,
    refuse,
)
from cloudcity.calendar.parse import (
    Choice,
    Earliest,
    ExactTime,
    NotUnderstood,
    OnDay,
    PartOfDay,
    PickupAnswer,
    parse_pickup,
)


def choose_pickup(
    text: str,
    *,
    query: PickupQuery,
    offered: Sequence[FreeSlot] = (),
    offered_at: datetime | None = None,
) -> Verdict | NotUnderstood:
    """The slot a customer's answer asks for, a refusal with alternatives, or not understood."""
    answer = parse_pickup(text, rules=query.rules, now=query.now)
    return resolve(answer, query=query, offered=offered, offered_at=offered_at)


def resolve(
    answer: PickupAnswer,
    *,
    query: PickupQuery,
    offered: Sequence[FreeSlot] = (),
    offered_at: datetime | None = None,
) -> Verdict | NotUnderstood:
    """Turn a parsed answer into a slot (checked now, so a taken one is refused) or a refusal.

    A number picks from `offered`; its notice is judged as of `offered_at` when given, so a
    slot offered a moment ago is not refused because the clock passed its start minus the
    lead time while the customer read the list. Places left are always counted now.
    """
    match answer:
        case ExactTime(at=at):
            return check(query, at)
        case OnDay(day=day):
            return first_free_on(query, day)
        case PartOfDay(day=day, part=part):
            return first_free_on(query, day, within=part.minutes)
        case Earliest():
            return _earliest(query)
        case Choice(number=number) if number <= len(offered):
            as_offered = replace(query, now=offered_at) if offered_at else query
            return check(as_offered, offered[number - 1].slot.start)
        case Choice():
            return NotUnderstood(f"there is no choice {answer.number}")
        case NotUnderstood():
            return answer


def _earliest(query: PickupQuery) -> Verdict:
    first = next_free(query, count=1)
    if first:
        return check(query, first[0].slot.start)
    return refuse(query, Reason.NOTHING_FREE, near=query.earliest)
