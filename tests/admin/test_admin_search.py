"""Finding people at the counter: any word of a name, any case of an email, a phone's end."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity.db.models import Customer, CustomerSearchTerm
from tests.support.admin import AuthActions, place


def shown(client: FlaskClient, query: str) -> list[int]:
    page = client.get("/admin/orders", query_string={"q": query}).get_data(as_text=True)
    return [int(part.split('"')[0]) for part in page.split('id="order-')[1:]]


@pytest.fixture
def people(session: orm.Session, auth: AuthActions) -> dict[str, int]:
    """Three customers' orders, logged in."""
    ids = {
        "maria": place(
            session,
            name="María José López",
            phone="whatsapp:+14155550100",
            email="maria@example.com",
        ).id,
        "sam": place(
            session, name="Sam O'Neil-Øster", phone="+14155550177", email="sam@example.com"
        ).id,
        "zoe": place(
            session, name="ZOË Park", phone="+447911123456", email="Zoe.Park@Example.org"
        ).id,
    }
    auth.login()
    return ids


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("lopez", "maria"),
        ("LÓPEZ", "maria"),
        ("Lop", "maria"),
        ("jose", "maria"),
        ("maria lopez", "maria"),
        ("lopez maria", "maria"),
        ("neil", "sam"),
        ("oster", "sam"),
        ("zoe", "zoe"),
        ("park", "zoe"),
        ("Sam@example.com", "sam"),
        ("SAM@EXAMPLE.COM", "sam"),
        ("zoe.park@example.org", "zoe"),
        ("zoe.park@", "zoe"),
        ("555-0100", "maria"),
        ("5550100", "maria"),
        ("0177", "sam"),
        ("(415) 555-0177", "sam"),
        ("123456", "zoe"),
        ("+44 7911 123456", "zoe"),
        ("+4479", "zoe"),
    ],
)
def test_finds(client: FlaskClient, people: dict[str, int], query: str, who: str) -> None:
    assert shown(client, query) == [people[who]]


@pytest.mark.parametrize("query", ["opez", "maria park", "example.com", "0101", "ñobody", "--"])
def test_finds_nobody(client: FlaskClient, people: dict[str, int], query: str) -> None:
    assert shown(client, query) == []


def test_short_numbers_are_order_numbers(client: FlaskClient, people: dict[str, int]) -> None:
    assert shown(client, str(people["sam"])) == [people["sam"]]
    assert shown(client, f"#{people['zoe']}") == [people["zoe"]]


def test_a_new_name_replaces_the_old_terms(
    client: FlaskClient, session: orm.Session, people: dict[str, int]
) -> None:
    again = place(session, name="Maria Smith", phone="whatsapp:+14155550100", email="m@example.com")
    assert shown(client, "smith") == [again.id, people["maria"]]
    assert shown(client, "lopez") == []
    assert shown(client, "maria@example.com") == []
    assert shown(client, "M@EXAMPLE.COM") == [again.id, people["maria"]]


def test_terms_written_once_per_change(session: orm.Session, people: dict[str, int]) -> None:
    before = _terms(session, "+14155550100")
    place(session, name="María José López", phone="whatsapp:+14155550100", email="")
    assert _terms(session, "+14155550100") == before  # an empty email keeps the one on file
    assert before == ["e:maria@example.com", "n:jose", "n:lopez", "n:maria", "p:00105555141"]


def _terms(session: orm.Session, phone: str) -> list[str]:
    query = (
        sa.select(CustomerSearchTerm.term)
        .join(Customer, Customer.id == CustomerSearchTerm.customer_id)
        .where(Customer.phone == phone)
        .order_by(CustomerSearchTerm.term)
    )
    found = list(session.scalars(query))
    session.commit()
    return found
