"""A customer's data: exported table by table, and erased without a trace (orders kept)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from flask.testing import FlaskClient

from cloudcity.cli import main
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from cloudcity.db.models import Base, DeliveryEvent, Order, OutboxMessage
from cloudcity.outbox.queue import READY_MESSAGE
from cloudcity.photo_store import PhotoStore
from tests.support.api import order_body

PHONE = "+14155550142"
NAME = "Zelda Quartermain"
EMAIL = "zelda.q@example.org"
OTHER = "+14155550177"
TRACES = (PHONE.removeprefix("+1"), NAME, EMAIL)  # national digits catch every spelling
PICTURE = b"\x89PNG\r\n\x1a\n a cake like this one"
# A column by one of these names ties a row to a customer: its table must be in the export.
PERSONAL_COLUMNS = {"customer_id", "phone", "address", "order_id", "recipient", "outbox_id"}


def _customer_everywhere(client: FlaskClient, database: Database, settings: Settings) -> int:
    """An order by API (its note and inscription naming them) with a stored reference photo,
    a chat, a sent receipt with its delivery report, a text still due."""
    customer = {"number": f"whatsapp:{PHONE}", "name": NAME, "email": EMAIL}
    response = client.post("/api/order", json=order_body(customer=customer))
    assert response.status_code == 201
    order_id: int = response.json["order_id"]  # type: ignore[index]
    form = {"From": f"whatsapp:{PHONE}", "Body": f"hi, {NAME} here ({EMAIL})", "MessageSid": "SM1"}
    assert client.post("/twilio/messages", data=form).status_code == 200
    other = {"number": f"whatsapp:{OTHER}", "name": "Otto Other", "email": "otto@example.org"}
    assert client.post("/api/order", json=order_body(customer=other)).status_code == 201
    with database.unit_of_work() as uow:
        receipt = uow.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.order_id == order_id)
        ).one()
        receipt.status, receipt.provider_message_id = "sent", "SG-1"
        receipt.last_error = f"earlier: {EMAIL} bounced"
        uow.session.add(
            DeliveryEvent(
                provider="sendgrid",
                event_key="ev-1",
                provider_message_id="SG-1",
                event="delivered",
                payload={"email": EMAIL},
            )
        )
        order = uow.session.get(Order, order_id)
        assert order is not None
        order.note, order.inscription = f"for {NAME}, no nuts", f"Happy birthday {NAME}"
        stored = PhotoStore(settings.photo_folder).save(PICTURE, "image/png")
        photo_id = uow.photos.add(
            address=f"whatsapp:{PHONE}",
            media_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
            content_type="image/png",
            now=utcnow(),
            status="stored",
            stored_path=stored.path,
            size_bytes=stored.size_bytes,
        )
        uow.photos.attach([photo_id], address=f"whatsapp:{PHONE}", order_id=order_id)
        uow.outbox.enqueue(
            kind=READY_MESSAGE,
            key=f"ready:order:{order_id}",
            recipient=f"whatsapp:{PHONE}",
            now=utcnow(),
            order_id=order_id,
            not_before=utcnow() + timedelta(hours=1),
        )
    return order_id


def _traces(database: Database, needles: tuple[str, ...]) -> list[str]:
    """Every (table.column, needle) where a text or JSON column of any table holds a needle."""
    found = []
    with database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                    continue
                text = sa.cast(column, sa.Text)
                for needle in needles:
                    query = sa.select(sa.func.count()).where(text.contains(needle))
                    if session.scalar(query.select_from(table)):
                        found.append(f"{table.name}.{column.name}: {needle}")
    return found


def _photo_files(settings: Settings) -> list[Path]:
    return list(settings.photo_folder.glob("*.png"))


def test_export_holds_every_table_s_rows_for_the_customer(
    client: FlaskClient, database: Database, runner: CliRunner, settings: Settings
) -> None:
    order_id = _customer_everywhere(client, database, settings)
    result = runner.invoke(main, ["customer", "export", PHONE])
    assert result.exit_code == 0, result.output
    tables = json.loads(result.output)["tables"]
    assert [row["phone"] for row in tables["customers"]] == [PHONE]
    assert [row["id"] for row in tables["orders"]] == [order_id]
    assert {row["kind"] for row in tables["order_events"]} == {"placed"}
    assert any(EMAIL in row["body"] for row in tables["chat_messages"])
    assert len(tables["conversations"]) == 1
    assert {row["kind"] for row in tables["outbox"]} == {"receipt_email", READY_MESSAGE}
    assert [row["event_key"] for row in tables["delivery_events"]] == ["ev-1"]
    assert [row["address"] for row in tables["reference_photos"]] == [f"whatsapp:{PHONE}"]
    assert f"e:{EMAIL}" in {row["term"] for row in tables["customer_search_terms"]}
    assert "Otto" not in result.output
    files = json.loads(result.output)["photo_files"]
    [stored] = tables["reference_photos"]
    assert base64.b64decode(files[stored["stored_path"]]) == PICTURE


def test_the_export_covers_every_table_that_can_name_a_customer(
    client: FlaskClient, database: Database, runner: CliRunner, settings: Settings
) -> None:
    _customer_everywhere(client, database, settings)
    result = runner.invoke(main, ["customer", "export", PHONE])
    assert result.exit_code == 0, result.output
    exported = set(json.loads(result.output)["tables"])
    personal = {
        table.name
        for table in Base.metadata.sorted_tables
        if PERSONAL_COLUMNS & {column.name for column in table.columns}
        or any(key.column.table.name in exported for key in table.foreign_keys)
    }
    assert "reference_photos" in personal  # the scan does find them
    assert personal - exported == set()


def test_erase_leaves_no_trace_in_any_text_column_and_keeps_the_order(
    client: FlaskClient, database: Database, runner: CliRunner, settings: Settings
) -> None:
    order_id = _customer_everywhere(client, database, settings)
    found = _traces(database, TRACES)  # the scan does see them before
    assert {"orders.note: " + NAME, "reference_photos.address: 4155550142"} <= set(found)
    assert len(_photo_files(settings)) == 1
    result = runner.invoke(main, ["customer", "erase", PHONE, "--yes"])
    assert result.exit_code == 0, result.output
    assert _traces(database, TRACES) == []
    assert _photo_files(settings) == []
    assert _traces(database, ("4155550177", "Otto Other"))  # another customer untouched
    with database.sessions() as session:
        order = session.get(Order, order_id)
        assert order is not None
        assert order.price_cents == 3000
        assert order.customer.phone.startswith("erased:")
        assert order.customer.opted_out
        statuses = dict(
            session.execute(
                sa.select(OutboxMessage.kind, OutboxMessage.status).where(
                    OutboxMessage.order_id == order_id
                )
            ).all()
        )
    assert statuses == {"receipt_email": "sent", READY_MESSAGE: "cancelled"}


def test_an_unknown_number_is_said_so(runner: CliRunner) -> None:
    for command in (["export", PHONE], ["erase", PHONE, "--yes"], ["export", "12345"]):
        result = runner.invoke(main, ["customer", *command])
        assert result.exit_code == 1
        assert "Error:" in result.output
