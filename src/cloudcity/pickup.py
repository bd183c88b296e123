"""Pickup times: what is free, keeping a slot for a chat customer, and booking one for an order.

Places are counted in the database (see `uow.calendar`), so two customers racing for the last
place of a slot get one order and one refusal with alternatives, on every backend.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.calendar import Accepted, PickupQuery, Reason, Refusal, Verdict, check
from cloudcity.calendar.availability import refuse
from cloudcity.calendar.rules import CalendarRules, default_rules
from cloudcity.calendar.slots import Slot
from cloudcity.db import Reading, UnitOfWork
from cloudcity.db.repositories.calendar import Hold


class PickupUnavailable(ValueError):
    """The pickup time asked for cannot be booked; `refusal` says why and what is free instead."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"that pickup time cannot be booked ({refusal.reason.value})")
        self.refusal = refusal


def seed_calendar(*, uow: UnitOfWork, time_zone: str, now: datetime) -> bool:
    """Give a new database the default calendar in the shop's zone; True when it did."""
    if uow.calendar.rules() is not None:
        return False
    uow.calendar.save_rules(default_rules(time_zone), now=now)
    return True


def shop_rules(uow: UnitOfWork | Reading) -> CalendarRules:
    """The shop's stored rules (`cloudcity db upgrade` seeds them)."""
    rules = uow.calendar.rules()
    if rules is None:
        raise LookupError("the shop has no calendar yet: run `cloudcity db upgrade`")
    return rules


def pickup_query(uow: UnitOfWork | Reading, *, size: str | None, now: datetime) -> PickupQuery:
    """Everything availability needs: the rules, the clock, the size, the places taken."""
    rules = shop_rules(uow)
    today = rules.local_today(now)
    last = today + timedelta(days=rules.horizon_days + 1)
    return PickupQuery(rules, now, size, uow.calendar.booked(first=today, last=last, now=now))


def book_pickup(
    *, uow: UnitOfWork, start: datetime, size: str | None, now: datetime, address: str | None
) -> Slot:
    """Take a place for an order: the slot held for `address` if it is this one, else a free one."""
    held = _held_slot(uow, address, start, now=now)
    query = pickup_query(uow, size=size, now=now)
    if held is not None:
        return _slot(query, held.slot_start)
    return _take(uow, query, check(query, start))


def hold_pickup(
    *,
    uow: UnitOfWork,
    address: str,
    verdict: Accepted,
    now: datetime,
    minutes: int,
    size: str | None = None,
) -> Hold:
    """Keep an accepted slot for a chat customer for `minutes` (their earlier hold ends).

    `size` is the cake's, so the alternatives offered when the slot went give it its notice.
    """
    # Sweep first: a message that must wait for another's sweep then waits holding no counter,
    # so the two cannot deadlock over a slot's and a day's counters on PostgreSQL.
    uow.calendar.sweep_lapsed(now)
    release_hold(uow=uow, address=address)
    rules = shop_rules(uow)
    if not _took(uow, verdict.slot, rules):
        query = pickup_query(uow, size=size, now=now)
        raise PickupUnavailable(refuse(query, Reason.SLOT_FULL, near=verdict.slot.start))
    hold = Hold(
        address, verdict.slot.start, verdict.slot.local_date, now + timedelta(minutes=minutes)
    )
    uow.calendar.add_hold(hold)
    return hold


def release_hold(*, uow: UnitOfWork, address: str) -> None:
    """End a chat customer's hold (they restarted, cancelled, or it was used), freeing its place."""
    hold = uow.calendar.drop_hold(address)
    if hold is not None:
        uow.calendar.give_back(slot_start=hold.slot_start, day=hold.day)


def free_pickup(*, uow: UnitOfWork, pickup_at: datetime, rules: CalendarRules) -> None:
    """Give back the place an order held (it was cancelled or moved)."""
    day = pickup_at.astimezone(rules.tz).date()
    uow.calendar.give_back(slot_start=pickup_at, day=day)


def _held_slot(
    uow: UnitOfWork, address: str | None, start: datetime, *, now: datetime
) -> Hold | None:
    if address is None:
        return None
    hold = uow.calendar.hold_of(address)
    if hold is None or hold.slot_start != start or hold.expires_at <= now:
        return None
    return uow.calendar.drop_hold(address)  # its place becomes the order's


def _take(uow: UnitOfWork, query: PickupQuery, verdict: Verdict) -> Slot:
    if isinstance(verdict, Refusal):
        raise PickupUnavailable(verdict)
    uow.calendar.sweep_lapsed(query.now)
    if not _took(uow, verdict.slot, query.rules):
        # Someone took the last place between our check and our count: say so, with others.
        fresh = pickup_query(uow, size=query.size, now=query.now)
        raise PickupUnavailable(refuse(fresh, Reason.SLOT_FULL, near=verdict.slot.start))
    return verdict.slot


def _took(uow: UnitOfWork, slot: Slot, rules: CalendarRules) -> bool:
    capacity = rules.capacity
    return uow.calendar.take(
        slot_start=slot.start,
        day=slot.local_date,
        per_slot=capacity.per_slot,
        per_day=capacity.per_day,
    )


def _slot(query: PickupQuery, start: datetime) -> Slot:
    verdict = check(query, start)
    if isinstance(verdict, Accepted):
        return verdict.slot
    return Slot(start, start + query.rules.slot_length, query.rules.tz)
