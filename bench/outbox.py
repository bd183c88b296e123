"""Outbox throughput: enqueue receipts and ready messages, then drain them with one worker.

    .venv/bin/python -m bench.outbox [--receipts 2000] [--texts 2000] [--pg URL]

Runs on a fresh SQLite file (and on a fresh PostgreSQL schema with --pg). The senders are
in-process mocks that only answer an id, so the figures measure the queue (claim, dispatch,
record) plus the real PDF renderer for receipts; render p50/p99 are printed separately.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._harness import fresh_database
from cloudcity.cli import prepare
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import Customer, Order
from cloudcity.db.repositories.values import TranscriptLine
from cloudcity.documents import InvoiceData
from cloudcity.outbox.ports import ReceiptRenderer, RenderedReceipt
from cloudcity.outbox.queue import READY_MESSAGE, RECEIPT_EMAIL
from cloudcity.outbox.worker import Worker, build_dispatcher
from cloudcity.phones import parse_address
from cloudcity.providers.ports import Email, TextMessage


class MockSender:
    """Answers an id at once: the point is the queue's own throughput."""

    def __init__(self) -> None:
        self.count = 0

    def send_email(self, email: Email) -> str:
        self.count += 1
        return f"email-{self.count}"

    def send_message(self, message: TextMessage) -> str:
        self.count += 1
        return f"SM{self.count}"


class MockProviders:
    def __init__(self) -> None:
        self.email = MockSender()
        self.messages = MockSender()


class StubRenderer:
    """Used only when cloudcity.documents is not installed."""

    def render(self, facts: InvoiceData) -> RenderedReceipt:
        return RenderedReceipt("receipt", "<p>receipt</p>", "receipt", "invoice.pdf", b"%PDF")


class TimedRenderer:
    """Times each render of the wrapped renderer."""

    def __init__(self, inner: ReceiptRenderer) -> None:
        self.inner = inner
        self.seconds: list[float] = []

    def render(self, facts: InvoiceData) -> RenderedReceipt:
        start = time.perf_counter()
        try:
            return self.inner.render(facts)
        finally:
            self.seconds.append(time.perf_counter() - start)


def real_renderer(settings: Settings) -> tuple[ReceiptRenderer, str]:
    try:
        from cloudcity.outbox.receipts import DocumentsRenderer

        return DocumentsRenderer(), "cloudcity.documents"
    except RuntimeError as exc:
        return StubRenderer(), f"a stub ({exc})"


def enqueue_orders(database: Database, count: int, kind: str) -> None:
    with database.unit_of_work() as uow:
        session = uow.session
        address = parse_address("whatsapp:+14155550100")
        saved = uow.customers.save_for_order(
            address=address, name="Ana Lima", email="ana@example.com", now=utcnow()
        )
        customer = session.get_one(Customer, saved.id)
        customer.last_inbound_at = utcnow()
        # The customer wrote on WhatsApp just now, so ready messages go as free text.
        hello = TranscriptLine(customer.address, customer.id, "in", "hi", utcnow())
        uow.conversations.record(hello)
        orders = [
            Order(
                customer=customer,
                size="Medium",
                flavour="Lemon",
                frosting="Buttercream",
                topping="Sprinkles",
                price_cents=3300,
                currency="USD",
            )
            for _ in range(count)
        ]
        session.add_all(orders)
        session.flush()
        for order in orders:
            is_receipt = kind == RECEIPT_EMAIL
            uow.outbox.enqueue(
                now=utcnow(),
                kind=kind,
                key=f"{'receipt' if is_receipt else 'ready'}:order:{order.id}",
                recipient="ana@example.com" if is_receipt else customer.address,
                order_id=order.id,
            )


def drain(worker: Worker) -> tuple[int, float]:
    start = time.perf_counter()
    total = 0
    while processed := worker.run_once():
        total += processed
    return total, time.perf_counter() - start


def bench(label: str, url: str, args: argparse.Namespace, var_dir: str) -> None:
    database = Database.connect(url)
    prepare(database)
    settings = Settings(_env_file=None, database_url=url, var_dir=var_dir)
    inner, source = real_renderer(settings)
    renderer = TimedRenderer(inner)
    providers = MockProviders()
    dispatcher = build_dispatcher(settings, providers, renderer=renderer)
    worker = Worker(database, dispatcher, settings, batch_size=args.batch, lease=3600)
    print(f"{label}: batch {args.batch}, renderer {source}")
    for kind, count in ((RECEIPT_EMAIL, args.receipts), (READY_MESSAGE, args.texts)):
        enqueue_orders(database, count, kind)
        sent, seconds = drain(worker)
        print(f"  {kind:<14} {sent:>6} sent in {seconds:7.2f} s = {sent / seconds:8.1f} msg/s")
    if renderer.seconds:
        ms = sorted(s * 1000 for s in renderer.seconds)
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        print(f"  PDF+email render: p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=2000)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--pg", help="a PostgreSQL URL; a fresh schema is made and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-outbox-") as tmp:
        bench("sqlite", str(Path(tmp) / "bench.db"), args, tmp)
        if args.pg:
            with fresh_database(args.pg) as url:
                bench("postgresql", url, args, tmp)


if __name__ == "__main__":
    main()
