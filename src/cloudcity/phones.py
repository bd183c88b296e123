"""Phone addresses as Twilio writes them: `whatsapp:+14155550100` or `+14155550100`."""

from __future__ import annotations

import functools

import phonenumbers

from cloudcity.domain import WHATSAPP_PREFIX, Address, Channel, is_whatsapp


class PhoneError(ValueError):
    """A phone number that cannot be a real, dialable number."""


# The same few customers write again and again, and parsing a number costs more than the rest
# of reading a webhook's form; a valid address is a pure function of its text.
@functools.lru_cache(maxsize=4096)
def parse_address(raw: str) -> Address:
    """Normalise `whatsapp:+1 (415) 555-0100` or `+14155550100` into an Address."""
    text = raw.strip()
    channel = Channel.SMS
    if is_whatsapp(text):
        channel, text = Channel.WHATSAPP, text[len(WHATSAPP_PREFIX) :].strip()
    if not text.startswith("+"):
        raise PhoneError("a phone number needs its country code, like +14155550100")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise PhoneError(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{raw!r} is not a valid phone number")
    return Address(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), channel)


def region_of(phone: str) -> str | None:
    """The region (e.g. 'US') of a phone number, to read numbers typed without `+`."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    region: str = phonenumbers.region_code_for_country_code(number.country_code or 0)
    return None if region == "ZZ" else region
