"""The menu editor: every option by kind, with forms to add, rename, reprice, switch off, delete.

A refused form comes back re-rendered with what was typed and the error under its field; each
form posts to a URL ending in its own #anchor, so the browser lands where the baker was.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from cloudcity import menu_admin
from cloudcity.allergens import Allergen
from cloudcity.db.repositories.menu import group
from cloudcity.domain import OptionKind
from cloudcity.money import MoneyError, format_money, to_cents
from cloudcity.web.admin import bp
from cloudcity.web.context import reading, settings, unit_of_work

KIND_TITLES = {
    OptionKind.SIZE: "Sizes",
    OptionKind.FLAVOUR: "Flavours",
    OptionKind.FROSTING: "Frostings",
    OptionKind.TOPPING: "Toppings",
}


class OptionForm(FlaskForm):  # type: ignore[misc]
    """An option's name and its price as money ("3.50", "3")."""

    name = StringField("Name")
    price = StringField("Price")

    def validate_name(self, field: Field) -> None:
        """A name is required (spaces alone don't count)."""
        if not (field.data or "").strip():
            raise ValidationError("Give the option a name.")

    def validate_price(self, field: Field) -> None:
        """The price must read as money; its cents are kept for the view."""
        try:
            self.price_cents = to_cents(field.data or "")
        except MoneyError as exc:
            raise ValidationError(f"Enter a price such as 3.50 ({exc}).") from None


class AddOptionForm(OptionForm):
    """A new option of one kind."""

    kind = SelectField("Kind", choices=[kind.value for kind in OptionKind])


class SwitchForm(FlaskForm):  # type: ignore[misc]
    """Switch an option on ("on") or off ("off")."""

    active = HiddenField(validators=[lambda _form, field: _on_or_off(field)])


class DeleteForm(FlaskForm):  # type: ignore[misc]
    """Delete an option (its id is in the URL; the form carries only the CSRF token)."""


class AllergensForm(FlaskForm):  # type: ignore[misc]
    """What an option contains (ticked allergens) and may contain (a note)."""

    # Unknown codes are refused by menu_admin, in words for the baker, not by WTForms.
    allergens = SelectMultipleField(
        "Contains", choices=[allergen.value for allergen in Allergen], validate_choice=False
    )
    may_contain = StringField("May contain")


def _on_or_off(field: Field) -> None:
    if field.data not in ("on", "off"):
        raise ValidationError("Choose on or off.")


@bp.get("/menu")
def menu_page() -> ResponseReturnValue:
    """Every option, switched off ones too, by kind."""
    return _page()


@bp.post("/menu")
def add_option() -> ResponseReturnValue:
    """Add an option at the end of its kind."""
    form = AddOptionForm()
    valid = form.validate_on_submit()
    if form.kind.errors:
        flash("Choose a size, flavour, frosting or topping to add to.", "error")
        return redirect(url_for("admin.menu_page"), 303)
    if valid:
        kind = OptionKind(form.kind.data)
        try:
            with unit_of_work() as uow:
                added = menu_admin.add_option(
                    uow=uow, kind=kind, name=form.name.data, price_cents=form.price_cents
                )
        except menu_admin.MenuEditError as exc:
            _form_error(form, exc)
        else:
            flash(f"Added {kind.value} {added.name!r}.", "success")
            return redirect(url_for("admin.menu_page", _anchor=kind.value), 303)
    return _page(form=form, failed=f"add-{form.kind.data}", status=422)


@bp.post("/menu/<int:option_id>")
def update_option(option_id: int) -> ResponseReturnValue:
    """Rename and reprice an option."""
    form = OptionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                saved = menu_admin.update_option(
                    uow=uow, option_id=option_id, name=form.name.data, price_cents=form.price_cents
                )
        except menu_admin.MenuEditError as exc:
            if exc.field == "id":
                return _gone(exc)
            _form_error(form, exc)
        else:
            flash(f"Saved {saved.kind.value} {saved.name!r}.", "success")
            return redirect(url_for("admin.menu_page", _anchor=saved.kind.value), 303)
    return _page(form=form, failed=f"edit-{option_id}", status=422)


@bp.post("/menu/<int:option_id>/delete")
def delete_option(option_id: int) -> ResponseReturnValue:
    """Delete an option no order names; one that was ordered can only be switched off."""
    DeleteForm().validate_on_submit()  # only the CSRF token, which the blueprint checked already
    try:
        with unit_of_work() as uow:
            option = menu_admin.delete_option(uow=uow, option_id=option_id)
    except menu_admin.MenuEditError as exc:
        if exc.field == "id":
            flash(_sentence(exc), "error")
            return redirect(url_for("admin.menu_page"), 303)
        return _page(failed=f"edit-{option_id}", row_error=_sentence(exc), status=409)
    flash(f"Deleted {option.kind.value} {option.name!r}.", "success")
    return redirect(url_for("admin.menu_page", _anchor=option.kind.value), 303)


@bp.post("/menu/<int:option_id>/active")
def switch_option(option_id: int) -> ResponseReturnValue:
    """Switch an option on or off."""
    form = SwitchForm()
    if not form.validate_on_submit():
        return _page(form=form, failed=f"edit-{option_id}", status=422)
    try:
        with unit_of_work() as uow:
            option = menu_admin.set_active(
                uow=uow, option_id=option_id, active=form.active.data == "on"
            )
    except menu_admin.MenuEditError as exc:
        return _gone(exc)
    state = "on" if option.active else "off"
    flash(f"Switched {option.kind.value} {option.name!r} {state}.", "success")
    return redirect(url_for("admin.menu_page", _anchor=option.kind.value), 303)


@bp.post("/menu/<int:option_id>/allergens")
def set_allergens(option_id: int) -> ResponseReturnValue:
    """Record what an option contains and may contain."""
    form = AllergensForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                saved = menu_admin.set_allergens(
                    uow=uow,
                    option_id=option_id,
                    codes=form.allergens.data or [],
                    may_contain=form.may_contain.data or "",
                )
        except menu_admin.MenuEditError as exc:
            if exc.field == "id":
                return _gone(exc)
            field = form.may_contain if exc.field == "may_contain" else form.allergens
            field.errors = [*field.errors, _sentence(exc)]
        else:
            flash(f"Saved the allergens of {saved.kind.value} {saved.name!r}.", "success")
            return redirect(url_for("admin.menu_page", _anchor=saved.kind.value), 303)
    return _page(form=form, failed=f"allergens-{option_id}", status=422)


def _gone(exc: menu_admin.MenuEditError) -> ResponseReturnValue:
    """Back to the menu, saying why: the option is no longer there."""
    flash(_sentence(exc), "error")
    return redirect(url_for("admin.menu_page"), 303)


def _form_error(form: OptionForm, exc: menu_admin.MenuEditError) -> None:
    field = form.price if exc.field == "price" else form.name
    field.errors = [*field.errors, _sentence(exc)]


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + "."


def _page(
    *,
    form: FlaskForm | None = None,
    failed: str | None = None,
    row_error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    menu = reading().menu
    grouped = group(menu.options(only_active=False))
    currency = settings().currency
    page = render_template(
        "admin/menu.html",
        sections=[(KIND_TITLES[kind], kind, grouped[kind]) for kind in OptionKind],
        ordered=menu.ordered_ids(),
        form=form,
        failed=failed,
        row_error=row_error,
        currency=currency,
        money=lambda cents: format_money(cents, currency),
        all_allergens=list(Allergen),
        amount=lambda cents: f"{cents // 100}.{cents % 100:02d}",
    )
    return page, status
