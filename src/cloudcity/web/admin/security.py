"""What guards the admin: logged-in bakers, CSRF tokens on its forms, a slowed-down login.

CSRF: CSRFProtect is initialised with WTF_CSRF_CHECK_DEFAULT=False, so it checks nothing by
itself; the admin blueprint calls `csrf.protect()` in its own before_request. The JSON API
and the provider webhooks (which authenticate with Basic auth or signatures) are therefore
never asked for a token, whichever blueprints other modules add, with no exempt list to keep.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits.errors import ConfigurationError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import TooManyRequests

from cloudcity import admins
from cloudcity.config import Settings, SettingsError
from cloudcity.db.models import AdminUser
from cloudcity.text import clean, clean_line
from cloudcity.web.admin import bp, formatting
from cloudcity.web.context import services

LOGIN_LIMIT = "5/minute"
PUBLIC_ENDPOINTS = frozenset({"admin.login_form", "admin.login"})
RAW_FIELDS = frozenset({"password"})  # compared as typed, never stored as text
# Textareas whose lines mean something (a closed date a line, a message): line breaks stay.
MULTILINE_FIELDS = frozenset({"closed_dates", "closed_yearly", "body"})
# Ids are PostgreSQL `integer`s: a larger number in a URL names nothing (and would make the
# database raise), so it is a 404 before any view runs.
MAX_ID = 2**31 - 1
csrf = CSRFProtect()
login_manager = LoginManager()


@dataclass(frozen=True)
class Baker(UserMixin):  # type: ignore[misc]
    """The logged-in admin user, as the session knows it."""

    id: int
    username: str
    stamp: str
    epoch: int

    @classmethod
    def of(cls, user: AdminUser) -> Baker:
        """The session identity of an admin user."""
        return cls(user.id, user.username, _stamp(user.password_hash), user.session_epoch)

    def get_id(self) -> str:
        """The session key: id, a stamp of the hash (a new password ends old sessions) and the
        session epoch (logging out raises it, so a copied cookie stops working)."""
        return f"{self.id}:{self.stamp}:{self.epoch}"


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def load_baker(key: str) -> Baker | None:
    """The baker a session cookie names, if the user still exists, same password, same epoch."""
    user_id, stamp, epoch = [*key.split(":"), "", ""][:3]
    if not (_small_number(user_id) and _small_number(epoch)):
        return None
    # A short read session of its own: the request's session stays free of this read, and a
    # write the view makes next begins in a unit of work of its own anyway.
    with services().database.reading() as reading:
        user = admins.get_user(reading=reading, user_id=int(user_id))
        if user is None or not hmac.compare_digest(_stamp(user.password_hash), stamp):
            return None
        if user.session_epoch != int(epoch):
            return None
        return Baker.of(user)


def _small_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID


def unauthorized() -> ResponseReturnValue:
    """Pages send the baker to the login form; actions and JSON answer 401."""
    if request.path.endswith(".json"):
        return jsonify({"error": "log in to the admin first", "details": []}), 401
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("admin.login_form", next=_here()))
    message = "You are not logged in (or your session ended). Log in and try again."
    return render_template("admin/error.html", title="Please log in", message=message), 401


def _here() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site; anything else (another host, a scheme) is None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\\\r\n\t"):
        return None
    return target


def current_actor() -> str:
    """Who is acting, for order events: the logged-in baker's username."""
    return f"admin:{current_user.username}"


@bp.before_request
def guard() -> ResponseReturnValue | None:
    """Require a login for every admin view, then a CSRF token on every state-changing one."""
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return unauthorized()
    if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
        abort(404, description="there is nothing with that number")
    _clean_input()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def _clean_input() -> None:
    """Remove control characters from every field but passwords (see cloudcity.text).

    PostgreSQL cannot store or even compare text with a NUL in it, and escape sequences in a
    name would reach whoever reads it in a terminal.
    """
    request.args = _cleaned(request.args)
    request.__dict__["form"] = _cleaned(request.form)


def _cleaned(values: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        (clean_line(key), _cleaned_value(key, value)) for key, value in values.items(multi=True)
    )


def _cleaned_value(key: str, value: str) -> str:
    if key in RAW_FIELDS:
        return value
    return clean(value) if key in MULTILINE_FIELDS else clean_line(value)


@bp.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError) -> tuple[str, int]:
    """A form without a valid token: expired, or sent from another site."""
    message = (
        "This form expired or did not come from the admin ("
        + str(exc.description)
        + "). Go back, reload the page and try again."
    )
    return render_template("admin/error.html", title="Form expired", message=message), 400


@bp.errorhandler(TooManyRequests)
def too_many(_exc: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """Too many refused logins from one address: say so, and for how long."""
    seconds = _seconds_limited()
    message = (
        f"Too many refused logins from your address ({request.remote_addr}): at most "
        f"{LOGIN_LIMIT.replace('/', ' a ')}. Try again in {seconds} seconds."
    )
    page = render_template("admin/error.html", title="Slow down", message=message)
    return page, 429, {"Retry-After": str(seconds)}


def _seconds_limited() -> int:
    limiters: set[Limiter] = current_app.extensions.get("limiter", set())
    resets = [found.reset_at for lim in limiters if (found := lim.current_limit) is not None]
    # The limiter's reset time is a whole second, so its ceiling can read 61 of a 60 s window.
    left = math.ceil(max(resets, default=time.time() + 60) - time.time())
    return min(60, max(1, left))


def init_app(app: Flask, settings: Settings) -> None:
    """Attach the admin to the app: cookies, CSRF, Flask-Login, the blueprint, the rate limit."""
    secure = str(settings.public_url or "").startswith("https:")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_baker)
    login_manager.unauthorized_handler(unauthorized)
    app.register_blueprint(bp)
    formatting.register(app)
    limiter = _limiter(app, settings.ratelimit_storage_uri)
    # One limiter per app (its counters live with it); wrap the login POST view of this app.
    login = app.view_functions["admin.login"]
    # Only refused passwords count: bakers sharing the shop's address can log in all day.
    failed = limiter.limit(LOGIN_LIMIT, deduct_when=lambda response: response.status_code == 401)
    app.view_functions["admin.login"] = cast(Any, failed(login))


def _limiter(app: Flask, storage_uri: str) -> Limiter:
    """The login rate limit's counters; a storage that can't be used is refused at start-up."""
    try:
        return Limiter(
            get_remote_address,
            app=app,
            storage_uri=storage_uri,
            default_limits=[],
            headers_enabled=False,
            # If Redis goes away, count in this process rather than answer logins with a 500.
            in_memory_fallback_enabled=True,
        )
    except ConfigurationError as exc:
        raise SettingsError(
            f"CLOUDCITY_RATELIMIT_STORAGE_URI={storage_uri!r} cannot be used ({exc}); "
            "use memory:// or redis://host:6379"
        ) from None
