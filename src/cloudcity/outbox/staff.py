"""What a baker's message from the inbox says when WhatsApp only takes an approved template."""

from __future__ import annotations

from dataclasses import dataclass

REPLY_SETTING = "CLOUDCITY_TWILIO_REPLY_CONTENT_SID"


@dataclass(frozen=True)
class ReplyTemplate:
    """The approved "please write back" template: its variables and the text they make."""

    variables: dict[str, str]
    text: str


def reply_template(*, customer_name: str | None, shop_name: str) -> ReplyTemplate:
    """The template for one customer; the text is what the transcript and the SMS show."""
    words = (customer_name or "").split()
    first = words[0] if words else "there"
    text = (
        f"Hi {first}, this is {shop_name}: we have an answer to your message. "
        "Reply to this message and we'll carry on the conversation here."
    )
    return ReplyTemplate({"1": first, "2": shop_name}, text)
