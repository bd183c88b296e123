"""One order's page, its invoice, and the actions a baker takes on it (POST, with CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from cloudcity import fulfilment
from cloudcity.calendar import FreeSlot, next_free, refusal_message
from cloudcity.calendar.rules import CalendarRules
from cloudcity.db import UnitOfWork
from cloudcity.db.models import Order
from cloudcity.documents import invoice_filename, render_invoice_pdf
from cloudcity.domain import Cake, OptionKind, OrderStatus
from cloudcity.fulfilment import OrderNotFound, Transition, TransitionError
from cloudcity.invoices import invoice_data, shop_info
from cloudcity.order_edit import OrderChanges, edit_order
from cloudcity.order_text import TextRefused, inscription
from cloudcity.pickup import PickupUnavailable, pickup_query, shop_rules
from cloudcity.pricing import MenuError
from cloudcity.queries import history as order_history
from cloudcity.queries import inbox as inbox_queries
from cloudcity.text import clean_line
from cloudcity.web.admin import bp
from cloudcity.web.admin.formatting import pickup
from cloudcity.web.admin.security import current_actor, safe_next
from cloudcity.web.context import now, reading, settings, unit_of_work

FREE_SLOTS_SHOWN = 6


@bp.get("/orders/<int:order_id>")
def order(order_id: int) -> str:
    """The order, its customer, its timeline and the chat with the customer."""
    return _order_page(_order_or_404(order_id))


def _order_page(found: Order, *, errors: dict[str, str] | None = None) -> str:
    """The order page; `errors` by field name re-shows the edit form as the baker sent it."""
    session = reading().session
    rules = shop_rules(reading())
    return render_template(
        "admin/order.html",
        order=found,
        free=_free_slots(found),
        timeline=order_history.timeline(session, found),
        others=order_history.other_orders(session, found),
        chat=order_history.order_chat(
            session, found, pause=timedelta(minutes=settings().conversation_timeout_minutes)
        ),
        conversation_id=inbox_queries.conversation_id(session, found.customer.address),
        photos=reading().photos.for_orders([found.id]).get(found.id, []),
        menu=reading().menu.orderable(),
        kinds=list(OptionKind),
        pickup_local=_local_input(found.pickup_at, rules.tz),
        edit_errors=errors or {},
        sent=request.form if errors else {},
    )


def _local_input(moment: datetime | None, tz: ZoneInfo) -> str:
    """An instant as a datetime-local field's value on the shop's clock ('' for none)."""
    return "" if moment is None else f"{moment.astimezone(tz):%Y-%m-%dT%H:%M}"


@bp.get("/orders/<int:order_id>/invoice.pdf")
def invoice(order_id: int) -> Response:
    """The order's invoice as a PDF."""
    found = _order_or_404(order_id)
    rules = shop_rules(reading())
    pdf = render_invoice_pdf(invoice_data(found, shop_info(settings(), rules), rules=rules))
    disposition = f'inline; filename="{invoice_filename(found.id)}"'
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})


UNDO = "undo"  # in the session: each order whose last tap may still be undone, and until when
UNDO_KEPT = 20  # offers a session keeps at most (the cookie stays small)


@bp.post("/orders/<int:order_id>/ready")
def ready(order_id: int) -> ResponseReturnValue:
    """Mark the order ready: the customer gets the pickup message once, after the undo window."""

    def readying(*, uow: UnitOfWork, order_id: int, actor: str, now: datetime) -> Transition:
        window = undo_window()
        return fulfilment.mark_ready(
            uow=uow, order_id=order_id, actor=actor, now=now, undo_for=window
        )

    return _act(order_id, readying, "marked ready; the customer will be told", undoable=True)


@bp.post("/orders/<int:order_id>/picked-up")
def picked_up(order_id: int) -> ResponseReturnValue:
    """Record that the customer collected the order."""
    return _act(order_id, fulfilment.mark_picked_up, "marked picked up", undoable=True)


@bp.post("/orders/<int:order_id>/undo")
def undo(order_id: int) -> ResponseReturnValue:
    """Take back the last "ready" or "picked up" within the undo window (no message leaves)."""
    _keep_offers({k: v for k, v in _stored_offers().items() if k != str(order_id)})

    def undoing(*, uow: UnitOfWork, order_id: int, actor: str, now: datetime) -> Transition:
        window = undo_window()
        return fulfilment.undo(uow=uow, order_id=order_id, actor=actor, now=now, window=window)

    return _act(order_id, undoing, "is back as it was; nothing was sent")


def undo_window() -> timedelta:
    """How long a baker may take back a tap (CLOUDCITY_UNDO_SECONDS)."""
    return timedelta(seconds=settings().undo_seconds)


def undo_offers() -> dict[int, int]:
    """The undo buttons to show: order id -> whole seconds left (each order keeps its own)."""
    moment = now()
    live: dict[int, int] = {}
    for key, until in _stored_offers().items():
        try:
            left = (datetime.fromisoformat(until) - moment).total_seconds()
            if left >= 1:
                live[int(key)] = int(left)
        except ValueError:
            continue
    return live


def _offer_undo(order_id: int, until: datetime) -> None:
    live = undo_offers()
    kept = {
        key: when
        for key, when in _stored_offers().items()
        if key.isdigit() and int(key) in live and int(key) != order_id
    }
    kept[str(order_id)] = until.isoformat()
    newest = sorted(kept.items(), key=lambda offer: offer[1])[-UNDO_KEPT:]
    _keep_offers(dict(newest))


def _stored_offers() -> dict[str, str]:
    stored = session.get(UNDO)
    if not isinstance(stored, dict):  # nothing yet, or a cookie from before per-order undo
        return {}
    return {str(key): str(value) for key, value in stored.items()}


def _keep_offers(offers: dict[str, str]) -> None:
    if offers:
        session[UNDO] = offers
    else:
        session.pop(UNDO, None)


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id: int) -> ResponseReturnValue:
    """Cancel the order with a reason the customer is told."""
    reason = request.form.get("reason", "")

    def cancelling(*, uow: UnitOfWork, order_id: int, actor: str, now: datetime) -> Transition:
        return fulfilment.cancel_order(
            uow=uow, order_id=order_id, actor=actor, reason=reason, now=now
        )

    return _act(order_id, cancelling, "cancelled; the customer will be told why")


@bp.post("/orders/<int:order_id>/pickup")
def move_pickup(order_id: int) -> ResponseReturnValue:
    """Set or move the pickup time (a free slot, or a time on the shop's clock)."""
    rules = shop_rules(reading())
    start = pickup_arg(rules.tz)
    if start is None:
        flash("Not moved: choose one of the free slots or enter a date and time.", "error")
        return _back(order_id)
    try:
        with unit_of_work() as uow:
            outcome = fulfilment.reschedule(
                uow=uow,
                order_id=order_id,
                start=start,
                actor=current_actor(),
                now=now(),
                reminder_hour=settings().reminder_hour,
            )
    except OrderNotFound:
        abort(404)
    except TransitionError as exc:
        flash(f"Not moved: {exc}.", "error")
    except PickupUnavailable as exc:
        why = refusal_message(replace(exc.refusal, alternatives=()), rules=rules)
        flash(f"Not moved: {why} Choose another time.", "error")
    else:
        when = pickup(outcome.order.pickup_at, rules.tz)
        if outcome.changed:
            flash(f"Order #{order_id}: pickup set to {when}; the customer will be told.", "success")
        else:
            flash(f"Order #{order_id} already has its pickup at {when}: nothing changed.", "info")
    return _back(order_id)


@bp.post("/orders/<int:order_id>/edit")
def edit(order_id: int) -> ResponseReturnValue:
    """Change the cake, its inscription, the pickup, or the customer's name and email at once.

    A refusal changes nothing and shows the form again with the reason beside its field.
    """
    rules = shop_rules(reading())
    try:
        changes = _changes_from_form(rules.tz)
        with unit_of_work() as uow:
            outcome = edit_order(
                uow=uow,
                order_id=order_id,
                changes=changes,
                actor=current_actor(),
                now=now(),
                reminder_hour=settings().reminder_hour,
            )
    except OrderNotFound:
        abort(404)
    except TransitionError as exc:
        flash(f"Not changed: {exc}", "error")
        return _back(order_id)
    except (TextRefused, MenuError, EmailNotValidError, PickupUnavailable, BadPickup) as exc:
        errors = _field_errors(exc, rules)
        flash(f"Not changed: {'; '.join(errors.values())}", "error")
        return _order_page(_order_or_404(order_id), errors=errors), 422
    if outcome.changed:
        flash(f"Order #{order_id} changed; the customer will be told what changed.", "success")
    else:
        flash(f"Order #{order_id}: nothing to change.", "info")
    return _back(order_id)


class BadPickup(ValueError):
    """The edit form's pickup time is not a date and time."""


def _field_errors(exc: Exception, rules: CalendarRules) -> dict[str, str]:
    """Which field of the edit form a refusal is about, and why, in the baker's words."""
    if isinstance(exc, MenuError):
        return {p.field.removeprefix("cake."): p.message for p in exc.problems}
    if isinstance(exc, PickupUnavailable):
        why = refusal_message(replace(exc.refusal, alternatives=()), rules=rules)
        return {"pickup": f"{why} Choose another time."}
    if isinstance(exc, TextRefused):
        return {"inscription": str(exc)}
    return {"email" if isinstance(exc, EmailNotValidError) else "pickup": str(exc)}


def _changes_from_form(tz: ZoneInfo) -> OrderChanges:
    form = request.form
    cake = Cake(**{kind.value: clean_line(form.get(kind.value, ""))[:80] for kind in OptionKind})
    written = inscription(form.get("inscription", ""), limit=settings().inscription_max_chars)
    name = clean_line(form.get("name", "")).strip()[:100] or None
    typed = form.get("email", "").strip()
    email = validate_email(typed, check_deliverability=False).normalized if typed else None
    return OrderChanges(
        cake=cake, inscription=written, name=name, email=email, pickup_at=_edited_pickup(tz)
    )


def _edited_pickup(tz: ZoneInfo) -> datetime | None:
    """A free slot ticked, else the time in the field (None: left empty, the pickup stays)."""
    text = request.form.get("slot", "").strip() or request.form.get("pickup", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadPickup("enter the pickup as a date and time, or tick one of the free slots")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


@bp.post("/orders/<int:order_id>/resend-receipt")
def resend_receipt(order_id: int) -> ResponseReturnValue:
    """Send the receipt email again."""
    try:
        with unit_of_work() as uow:
            number = fulfilment.resend_receipt(
                uow=uow, order_id=order_id, actor=current_actor(), now=now()
            )
    except OrderNotFound:
        abort(404)
    except TransitionError as exc:
        flash(f"Not resent: {exc}.", "error")
    else:
        flash(f"Order #{order_id}: receipt queued again (resend {number}).", "success")
    return _back(order_id)


def _act(
    order_id: int, action: Callable[..., Transition], done: str, *, undoable: bool = False
) -> ResponseReturnValue:
    moment = now()
    try:
        with unit_of_work() as uow:
            outcome = action(uow=uow, order_id=order_id, actor=current_actor(), now=moment)
    except OrderNotFound:
        abort(404)
    except TransitionError as exc:
        flash(f"Not changed: {exc}.", "error")
        return _back(order_id)
    if outcome.changed:
        flash(f"Order #{order_id} {done}.", "success")
        if undoable:
            _offer_undo(order_id, moment + undo_window())
    else:
        state = outcome.order.status.value.replace("_", " ")
        flash(f"Order #{order_id} was already {state}: nothing changed.", "info")
    return _back(order_id)


def _back(order_id: int) -> ResponseReturnValue:
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("admin.order", order_id=order_id))


def pickup_arg(tz: ZoneInfo) -> datetime | None:
    """The chosen slot (its UTC id) or the typed local time (datetime-local), as an instant."""
    typed = request.form.get("when", "").strip()
    text = typed or request.form.get("slot", "").strip()
    try:
        moment = datetime.fromisoformat(text) if 0 < len(text) <= 40 else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)  # a wall time in the shop: its first occurrence
    return moment


def _free_slots(order: Order) -> list[FreeSlot]:
    if order.status not in (OrderStatus.PLACED, OrderStatus.READY):
        return []
    query = pickup_query(reading(), size=order.size, now=now())
    return next_free(query, count=FREE_SLOTS_SHOWN)


def _order_or_404(order_id: int) -> Order:
    found = reading().orders.get(order_id)
    if found is None:
        abort(404, description=f"there is no order #{order_id}")
    return found
