"""The conversation engine behind the Twilio Messaging webhook (and the chat simulator)."""

from cloudcity.chat.service import Inbound, Reply, handle_inbound, inbound_from_form

__all__ = ["Inbound", "Reply", "handle_inbound", "inbound_from_form"]
