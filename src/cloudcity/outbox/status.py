"""The states of an outbox message.

pending -> sending (claimed with a lease) -> sent | retry (-> sending again) | failed | dead.
A `sending` message whose lease expired is due again: its worker died or hung.
"""

PENDING = "pending"
SENDING = "sending"
RETRY = "retry"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"

DUE = (PENDING, RETRY)
GAVE_UP = (FAILED, DEAD)
