"""A baker edits an order still being baked: the cake, what is written on it, the pickup time,
the customer's name and email. Priced afresh from the menu only when a cake option changes;
the pickup's place is checked like a booking; one line on the timeline, one message to the
customer listing what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudcity import allergens
from cloudcity.calendar import Booked, PickupQuery, Reason, Refusal, check
from cloudcity.calendar.slots import as_utc
from cloudcity.db import UnitOfWork
from cloudcity.db.models import Order
from cloudcity.domain import Cake, MenuItem, OptionKind, OrderStatus
from cloudcity.fulfilment import Transition, TransitionError, locked_order, move_place
from cloudcity.menu import normalise
from cloudcity.money import format_money
from cloudcity.outbox.queue import ORDER_CHANGED
from cloudcity.pickup import PickupUnavailable, shop_rules
from cloudcity.pricing import Quote, price
from cloudcity.reminders import reschedule_reminder


@dataclass(frozen=True)
class OrderChanges:
    """What the order should be: every field as the baker left it in the form."""

    cake: Cake
    inscription: str | None
    name: str | None
    email: str | None
    pickup_at: datetime | None = None  # None: the pickup stays as it is


def edit_order(
    *,
    uow: UnitOfWork,
    order_id: int,
    changes: OrderChanges,
    actor: str,
    now: datetime,
    reminder_hour: int,
) -> Transition:
    """Apply `changes` to a placed order in one go; nothing changes when any part is refused.

    `MenuError` for an option off the menu, `PickupUnavailable` when the (new) pickup is full
    or too soon for the (new) size.
    """
    order = locked_order(uow, order_id)
    if order.status is not OrderStatus.PLACED:
        raise TransitionError(f"order #{order.id} is {order.status.value}: it can't be edited now")
    priced = _priced(uow, order, changes.cake)
    said = [] if priced is None else _cake_changes(order, priced)
    said += _pickup_change(uow, order, changes, now=now, reminder_hour=reminder_hour)
    said += _words_changes(order, changes)
    if not said:
        return Transition(order, changed=False)
    if priced is not None:
        said += _total_change(order, priced)
        _apply_cake(order, priced)
    order.inscription = changes.inscription
    customer = order.customer
    if (customer.name, customer.email) != (changes.name, changes.email):
        uow.customers.rename(customer.id, name=changes.name, email=changes.email, now=now)
    note = "; ".join(said)
    uow.orders.record_event(order_id=order.id, kind="edited", actor=actor, at=now, note=note[:500])
    # One message per edit: a key is used once ever, so each edit has the next number.
    earlier = uow.outbox.count_keyed(order_id=order.id, prefix="changed:")
    uow.outbox.enqueue(
        kind=ORDER_CHANGED,
        key=f"changed:order:{order.id}:{earlier + 1}",
        recipient=customer.address,
        payload={"changes": said},
        order_id=order.id,
        now=now,
    )
    return Transition(order, changed=True)


def _priced(uow: UnitOfWork, order: Order, cake: Cake) -> Quote | None:
    """The cake priced from today's menu, or None when no option changed (the price stays).

    The options the order already has may have been switched off since: they still price.
    """
    kept = {kind for kind in OptionKind if _same(cake.choice(kind), _had(order, kind))}
    if len(kept) == len(OptionKind):
        return None
    menu: dict[OptionKind, list[MenuItem]] = {kind: [] for kind in OptionKind}
    for option in uow.menu.options(only_active=False):
        if option.active or option.kind in kept:
            menu[option.kind].append(option)
    return price(menu, cake)


def _same(chosen: str, had: str) -> bool:
    return normalise(chosen) == normalise(had)


def _had(order: Order, kind: OptionKind) -> str:
    return str(getattr(order, kind.value))


def _cake_changes(order: Order, priced: Quote) -> list[str]:
    cake = priced.cake
    return [
        f"{kind.value}: {cake.choice(kind)} (was {_had(order, kind)})"
        for kind in OptionKind
        if cake.choice(kind) != _had(order, kind)
    ]


def _total_change(order: Order, priced: Quote) -> list[str]:
    if priced.total_cents == order.price_cents:
        return []
    new = format_money(priced.total_cents, order.currency)
    return [f"new total: {new} (was {format_money(order.price_cents, order.currency)})"]


def _pickup_change(
    uow: UnitOfWork, order: Order, changes: OrderChanges, *, now: datetime, reminder_hour: int
) -> list[str]:
    """Book the new pickup for the (new) size; a new size alone must still be baked in time."""
    size = changes.cake.size
    if changes.pickup_at is None or as_utc(changes.pickup_at, "pickup") == order.pickup_at:
        if order.pickup_at is not None and not _same(size, order.size):
            _check_lead_time(uow, order.pickup_at, size=size, now=now)
        return []
    slot, note = move_place(uow, order, changes.pickup_at, size=size, now=now)
    rules = shop_rules(uow)
    reschedule_reminder(
        uow=uow, order_id=order.id, pickup_at=slot.start, rules=rules, now=now, hour=reminder_hour
    )
    return [f"pickup: {note}"]


def _check_lead_time(uow: UnitOfWork, start: datetime, *, size: str, now: datetime) -> None:
    # Its place is already taken: only the notice a bigger cake needs can refuse it now.
    verdict = check(PickupQuery(shop_rules(uow), now, size, Booked()), start)
    if isinstance(verdict, Refusal) and verdict.reason is Reason.TOO_SOON:
        raise PickupUnavailable(verdict)


def _words_changes(order: Order, changes: OrderChanges) -> list[str]:
    said = []
    if (order.inscription or None) != changes.inscription:
        shown = f"\u201c{changes.inscription}\u201d" if changes.inscription else "nothing"
        said.append(f"written on the cake: {shown}")
    customer = order.customer
    if customer.name != changes.name:
        said.append(f"name: {changes.name or 'none'}")
    if customer.email != changes.email:
        said.append(f"email: {changes.email or 'none'}")
    return said


def _apply_cake(order: Order, priced: Quote) -> None:
    for kind in OptionKind:  # the menu's own spelling, and what each part costs now
        setattr(order, kind.value, priced.cake.choice(kind))
        setattr(order, f"{kind.value}_cents", priced.line_cents[kind])
    order.price_cents = priced.total_cents
    order.allergens = allergens.encode(priced.allergens)
    order.may_contain = priced.may_contain
