"""Logging in and out of the admin."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from cloudcity import admins
from cloudcity.web.admin import bp
from cloudcity.web.admin.security import Baker, safe_next
from cloudcity.web.context import now, unit_of_work

HOME = "admin.orders"


@bp.get("/login")
def login_form() -> ResponseReturnValue:
    """The login form; a logged-in baker goes straight on."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for(HOME))
    return render_template("admin/login.html", next=target or "", username="")


@bp.post("/login")
def login() -> ResponseReturnValue:
    """Check the username and password, then send the baker where they were going."""
    username = request.form.get("username", "").strip()
    target = safe_next(request.form.get("next"))
    password = request.form.get("password", "")
    with unit_of_work() as uow:
        user = admins.authenticate(uow=uow, username=username, password=password, now=now())
        baker = Baker.of(user) if user is not None else None
    if baker is None:
        flash("Wrong username or password.", "error")
        page = render_template("admin/login.html", next=target or "", username=username)
        return page, 401
    login_user(baker)
    return redirect(target or url_for(HOME))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session, on the server too: a copied cookie of it no longer works."""
    if current_user.is_authenticated:
        with unit_of_work() as uow:
            admins.end_sessions(uow=uow, user_id=current_user.id)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("admin.login_form"))
