"""The cloudcity command: migrations, the menu, and readable configuration errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudcity.cli import main
from tests.foundation.test_serve import CLOUDCITY, _free_port


def test_db_upgrade_on_a_new_file_creates_folders_and_seeds_the_menu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new" / "place" / "cloudcity.db"
    monkeypatch.setenv("CLOUDCITY_DATABASE_URL", str(path))
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert path.exists()
    menu = CliRunner().invoke(main, ["menu"])
    assert "Red Velvet" in menu.output and "$3.00" in menu.output


def test_menu_prints_every_kind_with_prices(runner: CliRunner) -> None:
    result = runner.invoke(main, ["menu"])
    assert result.exit_code == 0
    for heading in ("Size:", "Flavour:", "Frosting:", "Topping:"):
        assert heading in result.output
    assert "$42.00" in result.output


def test_a_bad_setting_stops_the_command_with_its_name(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDCITY_PORT", "-1")
    result = runner.invoke(main, ["menu"])
    assert result.exit_code != 0
    assert "CLOUDCITY_PORT" in result.output


def test_serving_production_with_weak_or_missing_keys_stops_naming_each_variable(
    tmp_path: Path,
) -> None:
    # A subprocess with a timeout: were the keys accepted, gunicorn would serve until killed.
    env = os.environ | {
        "CLOUDCITY_ENV": "production",
        "CLOUDCITY_SECRET_KEY": "a",
        "CLOUDCITY_API_USER": "studio",
        "CLOUDCITY_API_PASSWORD": "a",
        "CLOUDCITY_PUBLIC_URL": "https://cakes.example.com",
        "CLOUDCITY_DATABASE_URL": str(tmp_path / "cloudcity.db"),
        "CLOUDCITY_PORT": str(_free_port()),
        "SENDGRID_API_KEY": "SG.a-real-looking-key",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    }
    done = subprocess.run(
        [str(CLOUDCITY), "serve", "--prod"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    for expected in (
        "CLOUDCITY_SECRET_KEY must be at least 32 characters",
        "CLOUDCITY_API_PASSWORD must be at least 16 characters",
        "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY must be set",
        "TWILIO_AUTH_TOKEN must be set",
    ):
        assert expected in done.stderr
    assert "CLOUDCITY_SETTINGS" not in done.stderr


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [str(CLOUDCITY), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Cloud City: cake orders over WhatsApp and SMS." in result.stdout
    for command in ("admin", "chat", "db", "menu", "outbox", "serve", "studio-flow", "worker"):
        assert f"  {command} " in result.stdout


def in_fresh_python(code: str) -> str:
    """What `code` prints, run in a new interpreter of this checkout's environment."""
    result = subprocess.run(
        [str(Path(CLOUDCITY).with_name("python")), "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_help_imports_no_database_or_web_stack() -> None:
    # What keeps `cloudcity --help` fast (bench/cli_startup.py times it): nothing heavy loaded.
    probe = (
        "import sys; from click.testing import CliRunner; from cloudcity.cli import main; "
        "CliRunner().invoke(main, ['--help']); CliRunner().invoke(main, ['admin', '--help']); "
        "heavy = ('sqlalchemy', 'pydantic', 'flask', 'babel', 'requests', 'alembic'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    assert in_fresh_python(probe) == "[]"


def test_the_worker_loads_no_chat_or_holiday_libraries() -> None:
    # A replacement worker is back within about a second: it never reads dates in words
    # (dateparser), imports public holidays (holidays) or renders a PDF (weasyprint).
    probe = (
        "import sys; from cloudcity.outbox.worker import Worker, build_dispatcher; "
        "from cloudcity.providers import build_providers; "
        "heavy = ('dateparser', 'holidays', 'weasyprint', 'flask'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    assert in_fresh_python(probe) == "[]"


def test_gunicorns_master_loads_the_app_and_the_date_reader_before_forking() -> None:
    # Workers fork from the master: with both loaded there, a replacement worker serves at
    # once and no customer's first "saturday 2pm" waits for dateparser's language data.
    probe = (
        "import sys; from cloudcity.config import Settings; from cloudcity.serving import preload; "
        "preload(Settings(_env_file=None, locale='en_GB')); "
        "from dateparser.languages.loader import LocaleDataLoader; "
        "print('cloudcity.web.app' in sys.modules, 'en' in LocaleDataLoader._loaded_languages)"
    )
    assert in_fresh_python(probe) == "True True"
