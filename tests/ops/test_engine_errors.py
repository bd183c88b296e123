"""A database error in the log names the statement, never the customer's values in it."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from cloudcity.db import Database
from cloudcity.db.models import Channel, Customer

NAME = "Philippa Quandary-Lowe"
PHONE = "+14155550163"


def test_a_failing_statement_s_logged_error_carries_no_parameter_values(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with database.unit_of_work() as uow:
        uow.session.add(Customer(phone=PHONE, channel=Channel.SMS, name="First"))
    log = logging.getLogger("cloudcity.test")
    with pytest.raises(sa.exc.IntegrityError):
        try:
            with database.unit_of_work() as uow:
                uow.session.add(Customer(phone=PHONE, channel=Channel.SMS, name=NAME))
        except sa.exc.IntegrityError:
            log.exception("saving a customer failed")
            raise
    logged = caplog.text
    assert "INSERT INTO customers" in logged  # the statement itself is still there to read
    assert "hidden due to hide_parameters" in logged
    assert NAME not in logged
    assert PHONE not in logged
