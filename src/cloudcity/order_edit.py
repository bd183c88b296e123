"""A baker edits an order still being baked: the cake, what is written on it, the customer's
name and email. Priced afresh from the menu; one line on the timeline, one message to the
customer listing what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudcity import allergens
from cloudcity.db import UnitOfWork
from cloudcity.db.models import Order
from cloudcity.domain import Cake, OptionKind, OrderStatus
from cloudcity.fulfilment import Transition, TransitionError, locked_order
from cloudcity.outbox.queue import ORDER_CHANGED
from cloudcity.pricing import Quote, quote


@dataclass(frozen=True)
class OrderChanges:
    """What the order should be: every field as the baker left it in the form."""

    cake: Cake
    inscription: str | None
    name: str | None
    email: str | None


def edit_order(
    *, uow: UnitOfWork, order_id: int, changes: OrderChanges, actor: str, now: datetime
) -> Transition:
    """Apply `changes` to a placed order; `MenuError` for an option off the menu."""
    order = locked_order(uow, order_id)
    if order.status is not OrderStatus.PLACED:
        raise TransitionError(f"order #{order.id} is {order.status.value}: it can't be edited now")
    priced = quote(uow=uow, cake=changes.cake)
    said = _cake_changes(order, priced) + _words_changes(order, changes)
    if not said:
        return Transition(order, changed=False)
    _apply(order, priced, changes.inscription)
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


def _cake_changes(order: Order, priced: Quote) -> list[str]:
    cake = priced.cake
    said = [
        f"{kind.value}: {new} (was {old})"
        for kind, old, new in (
            (OptionKind.SIZE, order.size, cake.size),
            (OptionKind.FLAVOUR, order.flavour, cake.flavour),
            (OptionKind.FROSTING, order.frosting, cake.frosting),
            (OptionKind.TOPPING, order.topping, cake.topping),
        )
        if old != new
    ]
    if said and priced.total_cents != order.price_cents:
        said.append("new price follows the menu")
    return said


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


def _apply(order: Order, priced: Quote, inscription: str | None) -> None:
    for kind in OptionKind:  # the menu's own spelling, and what each part costs now
        setattr(order, kind.value, priced.cake.choice(kind))
        setattr(order, f"{kind.value}_cents", priced.line_cents[kind])
    order.price_cents = priced.total_cents
    order.allergens = allergens.encode(priced.allergens)
    order.may_contain = priced.may_contain
    order.inscription = inscription
