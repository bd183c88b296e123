"""The states of an outbox message.

pending -> sending (claimed with a lease) -> sent | retry (-> sending again) | failed | dead.
A `sending` message whose lease expired is due again: its worker died or hung.
pending | retry | sending -> cancelled: what it was about no longer holds (the order was
cancelled, the pickup moved), so it is never sent; the row stays, to show what happened.
"""

PENDING = "pending"
SENDING = "sending"
RETRY = "retry"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
CANCELLED = "cancelled"

DUE = (PENDING, RETRY)
GAVE_UP = (FAILED, DEAD)
