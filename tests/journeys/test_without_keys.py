"""A fresh clone with no provider account: order, receipt, ready and pickup text, all local.

The worker is built exactly as `cloudcity worker` builds it (build_providers from Settings
without keys, the real documents renderer); the results are read back through the dev inbox.
"""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from pypdf import PdfReader

from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.fulfilment import mark_ready
from cloudcity.outbox.worker import Worker, build_dispatcher
from cloudcity.providers import LocalEmailSender, LocalMessageSender, build_providers
from tests.support.api import order_body

SMS_CUSTOMER = {"number": "+14155550100", "name": "Ana Lima", "email": "ana@example.com"}


def test_the_whole_flow_lands_in_the_dev_inbox_with_no_keys(
    client: FlaskClient, database: Database, settings: Settings
) -> None:
    keyless = settings.model_copy(
        update={"sendgrid_api_key": None, "twilio_account_sid": None, "twilio_auth_token": None}
    )
    providers = build_providers(keyless)
    assert isinstance(providers.email, LocalEmailSender)
    assert isinstance(providers.messages, LocalMessageSender)
    worker = Worker(database, build_dispatcher(keyless, providers), keyless)

    placed = client.post("/api/order", json=order_body(customer=SMS_CUSTOMER))
    assert placed.status_code == 201
    order_id = placed.json["order_id"]  # type: ignore[index]
    assert worker.run_once() == 1
    for baker in ("baker", "another baker"):
        with database.unit_of_work() as uow:
            mark_ready(uow=uow, order_id=order_id, actor=baker, now=utcnow())
    assert worker.run_once() == 1
    assert worker.run_once() == 0

    inbox = client.get("/dev/outbox").get_data(as_text=True)
    assert f"Your Cloud City cake order #{order_id}" in inbox
    assert inbox.count(f"(order #{order_id}) is ready for pickup") == 1
    invoice = rf"/dev/outbox/emails/[^\"]+/cloud-city-invoice-{order_id}\.pdf"
    link = re.search(rf'href="({invoice})"', inbox)
    assert link is not None, "the inbox links the invoice"
    pdf = client.get(link[1])
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"CC-{order_id:06d}" in text and "Ana Lima" in text and "$30.00" in text
