"""The kinds of message the outbox carries (enqueued with `uow.outbox.enqueue`)."""

RECEIPT_EMAIL = "receipt_email"
READY_MESSAGE = "ready_message"
CANCEL_MESSAGE = "cancel_message"
PICKUP_CHANGED = "pickup_changed"
PICKUP_REMINDER = "pickup_reminder"
CANCEL_EMAIL = "cancel_email"
ORDER_CHANGED = "order_changed"
