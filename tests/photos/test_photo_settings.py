"""The photo settings: where pictures go, which hosts they come from, refused when unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudcity.config import SettingsError, load_settings

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-long-random-secret-value-for-flask",
    "API_USER": "studio",
    "API_PASSWORD": "another-long-secret",
    "PUBLIC_URL": "https://cakes.example.com",
}


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def test_by_default_pictures_come_from_twilio_and_go_under_the_data_folder() -> None:
    settings = load_settings(var_dir="data")
    assert settings.photo_origins == ("https://api.twilio.com:443", "https://mms.twiliocdn.com:443")
    assert settings.photo_folder == Path("data") / "photos"
    assert settings.photo_max_bytes == 5 * 1024 * 1024


def test_the_folder_and_hosts_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDCITY_PHOTO_DIR", "/srv/photos")
    monkeypatch.setenv("CLOUDCITY_PHOTO_HOSTS", "api.twilio.com, http://127.0.0.1:8099")
    settings = load_settings()
    assert settings.photo_folder == Path("/srv/photos")
    assert settings.photo_origins == ("https://api.twilio.com:443", "http://127.0.0.1:8099")


@pytest.mark.parametrize("hosts", ["ftp://api.twilio.com", "https://", "api.twilio.com:port"])
def test_a_host_that_is_no_http_host_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, hosts: str
) -> None:
    monkeypatch.setenv("CLOUDCITY_PHOTO_HOSTS", hosts)
    with pytest.raises(SettingsError, match="CLOUDCITY_PHOTO_HOSTS"):
        load_settings()


def test_production_refuses_photo_hosts_over_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(f"CLOUDCITY_{name}", value)
    assert load_settings().photo_origins[0].startswith("https://")
    monkeypatch.setenv("CLOUDCITY_PHOTO_HOSTS", "http://api.twilio.com")
    with pytest.raises(SettingsError, match="CLOUDCITY_PHOTO_HOSTS must be https"):
        load_settings()
