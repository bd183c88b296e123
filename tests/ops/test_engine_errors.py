"""A database error in the log names the statement, never the customer's values in it."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa

from cloudcity.db import Database
from cloudcity.db.models import Channel, Customer
from cloudcity.logs import make_handler

NAME = "Philippa Quandary-Lowe"
EMAIL = "philippa.ql@example.org"
PHONE = "+14155550163"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_failing_statement_s_logged_error_carries_no_parameter_values(
    database: Database, as_json: bool
) -> None:
    with database.unit_of_work() as uow:
        uow.session.add(Customer(phone=PHONE, channel=Channel.SMS, name="First"))
    stream = io.StringIO()
    log = logging.getLogger("cloudcity.test_engine_errors")
    log.addHandler(handler := make_handler(json=as_json, stream=stream))
    try:
        with database.unit_of_work() as uow:
            uow.session.add(Customer(phone=PHONE, channel=Channel.SMS, name=NAME, email=EMAIL))
    except sa.exc.IntegrityError:
        log.exception("saving a customer failed")
    finally:
        log.removeHandler(handler)
    logged = stream.getvalue()
    assert "INSERT INTO customers" in logged  # the statement itself is still there to read
    assert "hidden due to hide_parameters" in logged
    # PostgreSQL's own message quotes the duplicate key (the phone): the log's mask hides it.
    for value in (NAME, EMAIL, PHONE):
        assert value not in logged
