"""The conversation engine behind the Twilio Messaging webhook (and the chat simulator).

Point the WhatsApp sender / SMS number's "A message comes in" webhook at
`POST <public URL>/twilio/messages`. The conversation asks size -> flavour -> frosting ->
topping -> pickup time (the next free slots offered as a numbered list, or a day and time in
words; the chosen slot is held while the order is finished) -> what to write on the cake (or
"no"), quotes the server's price and reads the pickup time, the inscription and any note back
(a note: NOTE ... or a message about an allergy, at any step before that), asks "shall we
place it?", then a name and an email (a returning
customer may reuse the ones on file) and places the order with source "chat".

At any step: RESTART / START OVER, CANCEL, HELP, MENU, STATUS. After an order the
conversation rests (`talk`): small talk gets a short answer, a customer may cancel or move their
own order (`manage`), and "talk to a person" hands the conversation to staff, the bot quiet
until they hand it back or the quiet time passes.
STOP, STOPALL, UNSUBSCRIBE, END, QUIT, REVOKE, OPTOUT opt the customer out (no replies at all)
until START, UNSTOP or YES. CANCEL is *not* an opt-out here, unlike Twilio's default list:
remove it from the Messaging Service's opt-out keywords so Twilio agrees.

Callers (the webhook, the simulator) build an `Inbound` and call `handle_inbound` inside their
unit of work; the `Reply` says what to answer (None: answer nothing). When it raises
`AlreadyRecorded` (Twilio retried a MessageSid), they roll back and answer with `replay` in a
new unit of work (`web.twilio_webhook.answer` does both).
"""

from cloudcity.chat.service import (
    ChatPolicy,
    Inbound,
    Reply,
    handle_inbound,
    inbound_from_form,
    replay,
)
from cloudcity.db.repositories.values import AlreadyRecorded

__all__ = [
    "AlreadyRecorded",
    "ChatPolicy",
    "Inbound",
    "Reply",
    "handle_inbound",
    "inbound_from_form",
    "replay",
]
