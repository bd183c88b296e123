"""Settings: environment variables in, a clear message naming the variable when one is bad."""

from __future__ import annotations

import pytest

from cloudcity.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = load_settings()
    assert settings.env == "development"
    assert settings.database_url == "var/cloudcity.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.api_auth is None


def test_provider_keys_use_their_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.key")
    settings = load_settings()
    assert settings.twilio_account_sid == "AC" + "0" * 32
    assert settings.twilio_auth_token is not None
    assert settings.sendgrid_api_key is not None


def test_a_malformed_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDCITY_PORT", "eighty")
    with pytest.raises(SettingsError, match="CLOUDCITY_PORT"):
        load_settings()


def test_a_bad_public_url_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDCITY_PUBLIC_URL", "not a url")
    with pytest.raises(SettingsError, match="CLOUDCITY_PUBLIC_URL"):
        load_settings()


def test_production_refuses_missing_and_placeholder_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLOUDCITY_ENV", "production")
    monkeypatch.setenv("CLOUDCITY_SECRET_KEY", "changeme")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    for name in ("SECRET_KEY", "API_USER", "API_PASSWORD", "PUBLIC_URL"):
        assert f"CLOUDCITY_{name}" in str(raised.value)


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ENV": "production",
        "SECRET_KEY": "a-long-random-secret-value-for-flask",
        "API_USER": "studio",
        "API_PASSWORD": "another-long-secret",
        "PUBLIC_URL": "https://cakes.example.com",
    }.items():
        monkeypatch.setenv(f"CLOUDCITY_{name}", value)
    settings = load_settings()
    assert not settings.is_dev
    assert settings.api_auth == ("studio", "another-long-secret")


def test_api_credentials_turn_on_basic_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDCITY_API_USER", "studio")
    monkeypatch.setenv("CLOUDCITY_API_PASSWORD", "pw-pw-pw-pw")
    assert load_settings().api_auth == ("studio", "pw-pw-pw-pw")


def test_production_refuses_one_character_secrets_and_names_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "ENV": "production",
        "SECRET_KEY": "a",
        "API_USER": "studio",
        "API_PASSWORD": "a",
        "PUBLIC_URL": "https://cakes.example.com",
    }.items():
        monkeypatch.setenv(f"CLOUDCITY_{name}", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "CLOUDCITY_SECRET_KEY must be at least 32 characters" in message
    assert "CLOUDCITY_API_PASSWORD must be at least 16 characters" in message
    assert "CLOUDCITY_SETTINGS" not in message


def test_the_production_error_names_only_real_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDCITY_ENV", "production")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "CLOUDCITY_SETTINGS" not in str(raised.value)
    assert "CLOUDCITY_SECRET_KEY" in str(raised.value)


def test_the_inscription_limit_is_a_shop_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().inscription_max_chars == 40
    monkeypatch.setenv("CLOUDCITY_INSCRIPTION_MAX_CHARS", "25")
    assert load_settings().inscription_max_chars == 25
    for bad in ("0", "201", "many"):
        monkeypatch.setenv("CLOUDCITY_INSCRIPTION_MAX_CHARS", bad)
        with pytest.raises(SettingsError, match="CLOUDCITY_INSCRIPTION_MAX_CHARS"):
            load_settings()
