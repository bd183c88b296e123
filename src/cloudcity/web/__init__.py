"""The web layer: JSON API, webhooks, admin and dev tools on one Flask app."""

from cloudcity.web.app import create_app

__all__ = ["create_app"]
