"""The transactional outbox: what must be sent, written with the change that caused it.

Use cases enqueue with `uow.outbox.enqueue` in their unit of work; `Worker` claims due
messages with a lease, sends them through the providers and records each result.
"""
