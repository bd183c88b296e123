"""Two messages from one address at once are handled one after the other, never interleaved."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event, orm

from cloudcity.db import Database
from cloudcity.db.models import ChatMessage, Conversation, Order
from tests.support.chat import Phone, at_once, new_sid

ROUNDS = 4


def test_two_messages_at_once_end_in_a_serial_state(
    app: Flask, phone: Callable[..., Phone], session: orm.Session
) -> None:
    for round_ in range(ROUNDS):
        ana = phone(f"whatsapp:+1415555{round_:04d}")
        ana.say("hi")
        answers = at_once(app, [ana.params("large"), ana.params("vanilla")])
        assert [status for status, _ in answers] == [200, 200]
        (_, to_large), (_, to_vanilla) = answers
        state = session.scalars(
            sa.select(Conversation).where(Conversation.address == ana.address)
        ).one()
        if state.step == "frosting":  # "large" first, then "vanilla" answered the flavour
            assert state.data == {"size": "Large", "flavour": "Vanilla"}
            assert to_large is not None
            assert "Which flavour?" in to_large
        else:  # "vanilla" first was not a size, then "large" was
            assert (state.step, state.data, state.misses) == ("flavour", {"size": "Large"}, 0)
            assert to_vanilla is not None
            assert "didn't catch that" in to_vanilla
        inbound = session.scalars(
            sa.select(ChatMessage).where(
                ChatMessage.address == ana.address, ChatMessage.direction == "in"
            )
        ).all()
        assert len(inbound) == 3
        assert all(message.reply for message in inbound)
        session.commit()


def test_the_same_message_twice_at_once_is_handled_once(
    app: Flask, phone: Callable[..., Phone], session: orm.Session
) -> None:
    for round_ in range(ROUNDS):
        ana = phone(f"+1415555{round_:04d}")
        ana.say("hi")
        params = ana.params("large", sid=new_sid())
        first, second = at_once(app, [params, dict(params)])
        assert first == second
        assert first[1] is not None
        assert "Which flavour?" in first[1]
        query = sa.select(ChatMessage.direction).where(ChatMessage.address == ana.address)
        assert session.scalars(query.order_by(ChatMessage.id)).all() == ["in", "out", "in", "out"]
        session.commit()


def test_a_message_racing_a_stop_is_never_answered_after_it(
    app: Flask, phone: Callable[..., Phone], session: orm.Session
) -> None:
    for round_ in range(ROUNDS):
        ana = phone(f"+1415555{round_:04d}")
        ana.say("hi")
        stop, hello = at_once(app, [ana.params("STOP"), ana.params("large")])
        assert (stop[0], hello[0], stop[1]) == (200, 200, None)
        bodies = session.scalars(
            sa.select(ChatMessage.body)
            .where(ChatMessage.address == ana.address, ChatMessage.direction == "in")
            .order_by(ChatMessage.id)
        ).all()
        if bodies[-1] == "large":  # handled after the STOP: the customer has opted out
            assert hello[1] is None
        else:
            assert hello[1] is not None
            assert "Which flavour?" in hello[1]
        session.commit()


def test_menu_and_customer_are_read_once_per_message(
    database: Database, phone: Callable[..., Phone]
) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()))

    ana = phone()
    ana.say("hi")
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        for answer in (
            "large",
            "vanilla",
            "buttercream",
            "sprinkles",
            "menu",
            "1",
            "no",
            "yes",
            "Ana",
        ):
            statements.clear()
            ana.say(answer)
            reads = [s.split(" FROM ")[1].split()[0] for s in statements if s.startswith("SELECT")]
            assert reads.count("menu_options") <= 1, answer
            # The customer is read by the upsert that records the message's arrival.
            assert "customers" not in reads, answer
            assert sum(s.startswith("INSERT INTO customers") for s in statements) == 1, answer
            assert sum(s.startswith("UPDATE conversations") for s in statements) <= 1, answer
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_two_customers_at_once_each_get_their_own_cake(
    app: Flask, phone: Callable[..., Phone], session: orm.Session
) -> None:
    ana, ben = phone("whatsapp:+14155550100"), phone("+447911123456")
    steps = [
        ("hi", "hello"),
        ("large", "small"),
        ("red velvet", "lemon"),
        ("cream cheese", "buttercream"),
        ("sprinkles", "none"),
        ("1", "1"),
        ("no", "Happy birthday Ben"),
        ("yes", "yes"),
        ("Ana", "Ben"),
        ("ana@example.com", "ben@example.com"),
    ]
    for mine, theirs in steps:
        answers = at_once(app, [ana.params(mine), ben.params(theirs)])
        assert [status for status, _ in answers] == [200, 200]
    orders = session.scalars(sa.select(Order).order_by(Order.customer_id)).all()
    cakes = {(o.customer.name, o.size, o.flavour, o.price_cents) for o in orders}
    assert cakes == {("Ana", "Large", "Red Velvet", 4800), ("Ben", "Small", "Lemon", 2200)}
