"""Pickup times: what is free, keeping a slot for a chat customer, and booking one for an order.

Places are counted in the database (see `uow.calendar`), so two customers racing for the last
place of a slot get one order and one refusal with alternatives, on every backend.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.calendar import Accepted, Booked, PickupQuery, Reason, Refusal, check
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
    """Take a place for an order: the slot held for `address` if it is this one, else a free one.

    The rules are checked first, with no counts read; the guarded UPDATE that takes the place
    is the capacity check. Only a refusal reads the calendar, to offer the nearest free slots.
    """
    rules_only = PickupQuery(shop_rules(uow), now, size, Booked())
    held = _held_slot(uow, address, start, now=now)
    if held is not None:
        return _slot(rules_only, held.slot_start)
    verdict = check(rules_only, start)
    if isinstance(verdict, Refusal):
        raise PickupUnavailable(_refusal(uow, start, size=size, now=now))
    rules = rules_only.rules
    # A lapsed hold still counts until swept: sweep only when the place seemed taken.
    if _took(uow, verdict.slot, rules) or (
        uow.calendar.sweep_lapsed(now) and _took(uow, verdict.slot, rules)
    ):
        return verdict.slot
    raise PickupUnavailable(_refusal(uow, start, size=size, now=now))


def _refusal(uow: UnitOfWork, start: datetime, *, size: str | None, now: datetime) -> Refusal:
    """Why `start` can't be had, with the nearest free slots, from the calendar as it is now."""
    query = pickup_query(uow, size=size, now=now)
    verdict = check(query, start)
    if isinstance(verdict, Refusal):
        return verdict
    return refuse(query, Reason.SLOT_FULL, near=start)  # taken a moment ago, free again now


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
