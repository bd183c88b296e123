"""`cloudcity admin create-user` and the first admin made by `cloudcity serve` in development."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import orm

from cloudcity import admins
from cloudcity.cli import main
from cloudcity.cli.admin import ensure_dev_admin
from cloudcity.config import Settings
from cloudcity.db import Database
from cloudcity.db.base import utcnow
from tests.conftest import uow_on
from tests.support.admin import PASSWORD, USERNAME, AuthActions


def test_create_user_with_prompted_password(runner: CliRunner, session: orm.Session) -> None:
    result = runner.invoke(main, ["admin", "create-user", "maria"], input="long enough pw\n" * 2)
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    assert "long enough pw" not in result.output  # hidden input
    assert admins.authenticate(
        uow=uow_on(session), now=utcnow(), username="maria", password="long enough pw"
    )


def test_prompted_passwords_must_match(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["admin", "create-user", "maria"], input="long enough pw\nother password\n" * 3
    )
    assert "do not match" in result.output


def test_create_user_from_environment(
    runner: CliRunner, session: orm.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDCITY_ADMIN_PASSWORD", "from the env 123")
    result = runner.invoke(main, ["admin", "create-user", "maria"])
    assert result.exit_code == 0, result.output
    assert admins.authenticate(
        uow=uow_on(session), now=utcnow(), username="maria", password="from the env 123"
    )


def test_refuses_duplicates_and_short_passwords(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDCITY_ADMIN_PASSWORD", "short")
    result = runner.invoke(main, ["admin", "create-user", "maria"])
    assert result.exit_code == 1
    assert "too short: use at least 10 characters" in result.output
    monkeypatch.setenv("CLOUDCITY_ADMIN_PASSWORD", "long enough pw")
    assert runner.invoke(main, ["admin", "create-user", "maria"]).exit_code == 0
    result = runner.invoke(main, ["admin", "create-user", "maria"])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_first_admin_in_development_only_once(
    settings: Settings, database: Database, session: orm.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_dev_admin(database, settings)
    printed = capsys.readouterr().out
    assert "created the first admin user: admin / " in printed
    password = printed.split("admin / ")[1].split()[0]
    assert admins.authenticate(
        uow=uow_on(session), now=utcnow(), username="admin", password=password
    )
    session.commit()
    ensure_dev_admin(database, settings)
    assert capsys.readouterr().out == ""


def test_no_admin_is_made_up_in_production(settings: Settings, database: Database) -> None:
    production = Settings.model_validate(
        {
            **settings.model_dump(),
            "env": "production",
            "secret_key": "s" * 32,
            "api_user": "studio",
            "api_password": "p" * 16,
            "public_url": "https://cakes.example",
        }
    )
    ensure_dev_admin(database, production)
    with database.unit_of_work() as uow:
        assert not uow.admins.any()


def test_password_hashes_are_argon2_and_upgraded(session: orm.Session) -> None:
    user = admins.create_user(uow=uow_on(session), username="old", password="long enough pw")
    assert user.password_hash.startswith("$argon2id$")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    user.password_hash = weak.hash("long enough pw")
    assert (
        admins.authenticate(
            uow=uow_on(session), now=utcnow(), username="old", password="long enough pw"
        )
        is not None
    )
    assert "m=8," not in user.password_hash


def test_reset_password_prints_a_new_one_and_ends_sessions(
    runner: CliRunner, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    assert client.get("/admin/orders").status_code == 200
    result = runner.invoke(main, ["admin", "reset-password", USERNAME])
    assert result.exit_code == 0, result.output
    assert f"new password for '{USERNAME}': " in result.output
    assert "shown only this once" in result.output
    password = result.output.split(": ", 1)[1].split()[0]
    assert len(password) >= admins.MIN_PASSWORD_LENGTH
    assert client.get("/admin/orders").status_code == 302  # the old session has ended
    refused = auth.login(password=PASSWORD)
    assert "Wrong username or password" in refused.get_data(as_text=True)
    assert auth.login(password=password).status_code == 302
    assert client.get("/admin/orders").status_code == 200


def test_reset_password_twice_gives_two_passwords(runner: CliRunner, admin_user: str) -> None:
    first = runner.invoke(main, ["admin", "reset-password", admin_user])
    second = runner.invoke(main, ["admin", "reset-password", admin_user])
    assert first.exit_code == second.exit_code == 0
    assert first.output != second.output


def test_reset_password_of_an_unknown_user_says_how_to_make_one(runner: CliRunner) -> None:
    result = runner.invoke(main, ["admin", "reset-password", "nobody"])
    assert result.exit_code == 1
    assert "no admin user named 'nobody'" in result.output
    assert "cloudcity admin create-user" in result.output
