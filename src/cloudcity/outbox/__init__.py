"""The transactional outbox: what must be sent, written with the change that caused it."""

from cloudcity.outbox.queue import enqueue

__all__ = ["enqueue"]
