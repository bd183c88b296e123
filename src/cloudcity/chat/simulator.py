"""What Twilio would post for a message typed into a simulator (the dev page, the terminal)."""

from __future__ import annotations

import secrets

from cloudcity.config import Settings
from cloudcity.domain import is_whatsapp, whatsapp_address


def twilio_form(settings: Settings, *, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio's Messaging webhook would post for this message to the shop."""
    whatsapp = is_whatsapp(sender)
    shop = settings.twilio_whatsapp_from if whatsapp else settings.twilio_sms_from
    if not shop:
        shop = whatsapp_address(settings.shop_phone) if whatsapp else settings.shop_phone
    return {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": sender,
        "To": shop,
        "Body": body,
        "NumMedia": "0",
    }
