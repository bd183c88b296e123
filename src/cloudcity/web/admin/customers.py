"""A customer's data on request: export it as JSON, or erase it (their orders stay)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cloudcity.personal_data import UnknownCustomer, as_json, erase_customer, export_customer
from cloudcity.photo_store import PhotoStore
from cloudcity.text import clean_line
from cloudcity.web.admin import bp
from cloudcity.web.context import now, reading, settings, unit_of_work

CONFIRM_WORD = "ERASE"


@bp.get("/customers")
def customers() -> ResponseReturnValue:
    """The form: a phone number, then export or erase."""
    return render_template("admin/customers.html", confirm_word=CONFIRM_WORD)


@bp.post("/customers/export")
def customer_export() -> ResponseReturnValue:
    """Download everything held about the customer as a JSON file."""
    phone = _phone()
    try:
        text = as_json(export_customer(reading=reading(), phone=phone, photos=_photos()))
    except UnknownCustomer as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.customers"))
    attachment = f'attachment; filename="customer-{phone.lstrip("+")}.json"'
    return Response(text, mimetype="application/json", headers={"Content-Disposition": attachment})


@bp.post("/customers/erase")
def customer_erase() -> ResponseReturnValue:
    """Anonymise the customer, once the baker typed the confirmation word."""
    phone = _phone()
    if request.form.get("confirm", "").strip() != CONFIRM_WORD:
        flash(f"Type {CONFIRM_WORD} to confirm: erasing cannot be undone.", "error")
        return redirect(url_for("admin.customers"))
    try:
        with unit_of_work() as uow:
            customer_id = erase_customer(uow=uow, phone=phone, now=now(), photos=_photos())
    except UnknownCustomer as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.customers"))
    flash(f"Customer {customer_id} erased; their orders are kept, anonymised.", "success")
    return redirect(url_for("admin.customers"))


def _phone() -> str:
    return clean_line(request.form.get("phone", ""))[:40] or "(none)"


def _photos() -> PhotoStore:
    return PhotoStore(settings().photo_folder)
