"""The kinds of message the outbox carries (enqueued with `uow.outbox.enqueue`)."""

RECEIPT_EMAIL = "receipt_email"
READY_MESSAGE = "ready_message"
CANCEL_MESSAGE = "cancel_message"
PICKUP_CHANGED = "pickup_changed"
PICKUP_REMINDER = "pickup_reminder"
FETCH_PHOTO = "fetch_photo"  # not a message: the worker downloads a customer's picture
STAFF_MESSAGE = "staff_message"  # a baker's message from the inbox (payload: body, template)
CANCEL_EMAIL = "cancel_email"
ORDER_CHANGED = "order_changed"
