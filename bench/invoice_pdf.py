"""Render N invoice PDFs and print p50/p99/mean milliseconds per render.

    .venv/bin/python -m bench.invoice_pdf            # 200 invoices
    .venv/bin/python -m bench.invoice_pdf -n 20      # a quick check

The first render (imports, font loading) is a warm-up and is reported on its own.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cloudcity.documents import InvoiceData, ShopInfo, render_invoice_pdf

SHOP = ShopInfo(
    name="Cloud City Cake Company",
    address="1 Cloud Lane, Bespin, CA 94000",
    email="orders@cloudcity.example",
    phone="+15555550123",
    time_zone=ZoneInfo("America/Los_Angeles"),
)


def invoice(order_id: int) -> InvoiceData:
    """A typical order; the id and name change so no two documents are identical."""
    return InvoiceData(
        order_id=order_id,
        placed_at=datetime(2025, 11, 24, 15, 30, tzinfo=UTC),
        customer_name=f"Customer Number {order_id}",
        customer_email=f"customer{order_id}@example.com",
        customer_phone="+15555550100",
        size="Large",
        flavour="Red Velvet",
        frosting="Chocolate Ganache",
        topping="Edible Flowers",
        price_cents=4200 + 300 + 350 + 550,
        currency="USD",
        shop=SHOP,
    )


def percentile(sorted_ms: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    index = max(0, min(len(sorted_ms) - 1, round(fraction * len(sorted_ms)) - 1))
    return sorted_ms[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="invoices to render (default 200)")
    count = parser.parse_args().n

    start = time.perf_counter()
    size = len(render_invoice_pdf(invoice(0)))
    warm_up_ms = (time.perf_counter() - start) * 1000

    timings: list[float] = []
    for order_id in range(1, count + 1):
        start = time.perf_counter()
        render_invoice_pdf(invoice(order_id))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()

    print(f"invoice PDF: n={count} size={size} bytes warm-up={warm_up_ms:.1f} ms")
    print(
        f"p50={percentile(timings, 0.50):.1f} ms  p99={percentile(timings, 0.99):.1f} ms  "
        f"mean={statistics.fmean(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
