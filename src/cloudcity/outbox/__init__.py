"""The transactional outbox: what must be sent, written with the change that caused it.

`enqueue` adds a message in the caller's transaction; `Worker` claims due messages with a
lease, sends them through the providers and records each result.
"""

from cloudcity.outbox.queue import enqueue

__all__ = ["enqueue"]
