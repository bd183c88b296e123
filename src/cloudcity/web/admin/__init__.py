"""The bakers' admin: log in, find orders, move them along (ready, picked up, cancelled).

Every page lives on `bp` (url prefix /admin). `security.init_app` attaches what the admin
needs to the app: Flask-Login sessions, CSRF checks for this blueprint only, and the login
rate limit. Every view on `bp` requires a logged-in baker unless its endpoint is listed in
`security.PUBLIC_ENDPOINTS`; pages in other modules need only `@bp.get` / `@bp.post`.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("admin", __name__, url_prefix="/admin")

# The views register themselves on `bp`, so they are imported after it exists.
from cloudcity.web.admin import (  # noqa: E402
    auth,
    calendar,
    customers,
    dashboard,
    deliveries,
    inbox,
    inbox_order,
    menu,
    order_page,
    orders,
    photos,
    schedule,
)
from cloudcity.web.admin.security import current_actor, init_app  # noqa: E402

__all__ = [
    "auth",
    "bp",
    "calendar",
    "current_actor",
    "customers",
    "dashboard",
    "deliveries",
    "inbox",
    "inbox_order",
    "init_app",
    "menu",
    "order_page",
    "orders",
    "photos",
    "schedule",
]
