"""Settings: one typed object read from the environment (and an optional .env file)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import (
    AliasChoices,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloudcity.order_text import INSCRIPTION_LIMIT, INSCRIPTION_MAX_LIMIT
from cloudcity.origins import TWILIO_MEDIA_HOSTS, NotAnOrigin, parse_origins

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "password", "xxx", "todo"})
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105 - refused in production
MIN_SECRET_LENGTHS = {"secret_key": 32, "api_password": 16, "metrics_token": 16}


def _env(name: str) -> AliasChoices:
    """Accept a provider key under the exact name its own docs use."""
    return AliasChoices(name, name.lower())


DEFAULT_TIME_ZONE = "America/Los_Angeles"


class Settings(BaseSettings):
    """Everything the app needs to know about where it runs; validated once at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="CLOUDCITY_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    env: Literal["development", "production"] = "development"
    database_url: str = "var/cloudcity.db"
    var_dir: str = "var"
    public_url: HttpUrl | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr | None = None
    api_user: str | None = None
    api_password: SecretStr | None = None
    trust_proxy: int = Field(default=0, ge=0, le=10)  # proxy hops in front; "true" means 1
    proxy_ips: str = "127.0.0.1, ::1"
    max_body_bytes: int = Field(default=16 * 1024, ge=1024)
    ratelimit_storage_uri: str = "memory://"

    shop_name: str = "Cloud City Cake Company"
    shop_address: str = "1 Cloud Lane, Bespin, CA 94000"
    shop_email: str = "orders@cloudcity.example"
    shop_phone: str = "+14155550123"
    # The shop's clock and language: every time a person reads is shown in this zone.
    time_zone: str = DEFAULT_TIME_ZONE
    locale: str = "en_US"
    pickup_hold_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # The hour (shop time) of the day before pickup when the customer is reminded.
    reminder_hour: int = Field(default=10, ge=0, le=23)
    # The most characters the bakers pipe on a cake (the chat's and the API's limit).
    inscription_max_chars: int = Field(default=INSCRIPTION_LIMIT, ge=1, le=INSCRIPTION_MAX_LIMIT)
    # How long a baker can undo "ready" or "picked up"; the ready message waits this long.
    undo_seconds: float = Field(default=10.0, ge=0, le=600)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    conversation_timeout_minutes: int = Field(default=60, ge=1)
    # How long the bot keeps quiet after a handoff to staff, or after a staff reply.
    handoff_quiet_minutes: int = Field(default=240, ge=1)
    # Customers may cancel or move their own order by chat until this long before pickup.
    self_service_cutoff_hours: int = Field(default=24, ge=0, le=24 * 60)
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    # Renewed by the worker's heartbeat while it sends: short, so a killed worker's claims
    # come back within seconds.
    outbox_lease_seconds: float = Field(default=6.0, gt=0)
    # How long an in-doubt send (its worker died mid-call) waits for a status callback.
    outbox_doubt_grace_seconds: float = Field(default=30.0, ge=0)
    outbox_batch_size: int = Field(default=20, ge=1, le=500)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    run_worker_in_app: bool = True
    # Every worker writes its heartbeat this often; /readyz calls the workers down when the
    # newest is older than worker_stale while messages wait, and the outbox stuck when the
    # oldest due message has waited longer than outbox_stuck.
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    ready_worker_stale_seconds: float = Field(default=60.0, gt=0)
    ready_outbox_stuck_seconds: float = Field(default=600.0, gt=0)
    # /readyz also reports a message that gave up (dead) within the last ready_dead_hours
    # (0: never), and one still being retried ready_retrying_seconds after its first attempt:
    # backoff keeps moving such a message's due time, so the stuck check above never sees it.
    ready_dead_hours: float = Field(default=24.0, ge=0)
    ready_retrying_seconds: float = Field(default=3600.0, gt=0)
    # How long personal data is kept (`cloudcity prune`; daily from the worker when
    # prune_daily): chat transcripts, provider delivery reports, payloads of sent messages.
    retain_chat_days: int = Field(default=365, ge=1)
    retain_delivery_events_days: int = Field(default=90, ge=1)
    retain_sent_payloads_days: int = Field(default=90, ge=1)
    prune_daily: bool = False
    prune_batch_size: int = Field(default=1000, ge=1, le=50_000)
    # Log lines as JSON objects or readable text; JSON in production unless set.
    log_format: Literal["json", "text"] | None = None
    # Bearer token for /metrics; without one, /metrics answers only loopback, unproxied calls.
    metrics_token: SecretStr | None = None
    # Reference photos customers send: the folder they are kept in (default <var_dir>/photos),
    # the only hosts they are fetched from (Twilio's API and its media CDN, which the API
    # redirects to; `scheme://host:port` entries for a stand-in), a size limit and a timeout.
    photo_dir: str | None = None
    photo_hosts: str = TWILIO_MEDIA_HOSTS
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    photo_fetch_timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    twilio_account_sid: str | None = Field(
        default=None, validation_alias=_env("TWILIO_ACCOUNT_SID")
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, validation_alias=_env("TWILIO_AUTH_TOKEN")
    )
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_ready_content_sid: str | None = None
    twilio_reminder_content_sid: str | None = None
    # The approved template a baker may send from the inbox outside WhatsApp's 24-hour window.
    twilio_reply_content_sid: str | None = None
    sendgrid_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("SENDGRID_API_KEY")
    )
    sendgrid_webhook_public_key: str | None = None

    @field_validator("api_user", "twilio_account_sid", "twilio_whatsapp_from", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. Europe/London") from None
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (ValueError, UnknownLocaleError):
            raise ValueError(f"{value!r} is not a locale, e.g. en_US or en_GB") from None
        return value

    @field_validator("trust_proxy", mode="before")
    @classmethod
    def _hops(cls, value: object) -> object:
        text = str(value).strip().lower()
        return {"true": 1, "yes": 1, "on": 1, "false": 0, "no": 0, "off": 0, "": 0}.get(text, value)

    @field_validator("proxy_ips")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for entry in (part.strip() for part in value.split(",")):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value

    @field_validator("photo_hosts")
    @classmethod
    def _photo_origins(cls, value: str) -> str:
        try:
            parse_origins(value)
        except NotAnOrigin as exc:
            raise ValueError(f"{exc}: list hosts like api.twilio.com, mms.twiliocdn.com") from None
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.env != "production":
            return self
        problems = (
            _missing_secrets(self)
            + _short_secrets(self)
            + _unverifiable_webhooks(self)
            + _plain_photo_hosts(self)
        )
        if problems:
            raise ValueError(
                "CLOUDCITY_ENV=production refuses to start:\n    " + "\n    ".join(problems)
            )
        return self

    @property
    def is_dev(self) -> bool:
        """True when dev tools (simulator, local inbox) may be served."""
        return self.env == "development"

    @property
    def log_json(self) -> bool:
        """True when log lines are JSON objects (production, unless CLOUDCITY_LOG_FORMAT=text)."""
        return self.log_format == "json" or (self.log_format is None and not self.is_dev)

    @property
    def photo_folder(self) -> Path:
        """Where reference photos are stored."""
        return Path(self.photo_dir) if self.photo_dir else Path(self.var_dir) / "photos"

    @property
    def photo_origins(self) -> tuple[str, ...]:
        """The origins reference photos may be fetched from, each hop of a redirect included."""
        return parse_origins(self.photo_hosts)

    @property
    def flask_secret_key(self) -> str:
        """The key that signs session cookies; a fixed one only in development."""
        return self.secret_key.get_secret_value() if self.secret_key else DEV_SECRET_KEY

    @property
    def api_auth(self) -> tuple[str, str] | None:
        """The Basic auth pair the JSON API requires, or None when it is open."""
        if self.api_user and self.api_password:
            return self.api_user, self.api_password.get_secret_value()
        return None


def _missing_secrets(config: Settings) -> list[str]:
    return [
        f"CLOUDCITY_{name.upper()} must be set to a real value (placeholders refused)"
        for name in ("secret_key", "api_user", "api_password", "public_url")
        if _is_placeholder(getattr(config, name))
    ]


def _short_secrets(config: Settings) -> list[str]:
    found = []
    for name, minimum in MIN_SECRET_LENGTHS.items():
        value = getattr(config, name)
        if not _is_placeholder(value) and len(value.get_secret_value()) < minimum:
            found.append(
                f"CLOUDCITY_{name.upper()} must be at least {minimum} characters "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
    return found


def _unverifiable_webhooks(config: Settings) -> list[str]:
    """Providers that are configured but whose webhooks could not be verified."""
    found = []
    if config.sendgrid_api_key is not None and not config.sendgrid_webhook_public_key:
        found.append(
            "CLOUDCITY_SENDGRID_WEBHOOK_PUBLIC_KEY must be set when SENDGRID_API_KEY is "
            "(SendGrid's Event Webhook 'Verification Key'; unsigned events are refused)"
        )
    twilio = config.twilio_account_sid or config.twilio_whatsapp_from or config.twilio_sms_from
    if twilio and _is_placeholder(config.twilio_auth_token):
        found.append(
            "TWILIO_AUTH_TOKEN must be set when Twilio is configured "
            "(it checks every webhook's X-Twilio-Signature)"
        )
    return found


def _plain_photo_hosts(config: Settings) -> list[str]:
    """Photo hosts over plain http: Twilio's credentials would cross the network readable."""
    plain = [origin for origin in config.photo_origins if origin.startswith("http://")]
    if not plain:
        return []
    return [f"CLOUDCITY_PHOTO_HOSTS must be https in production, not {', '.join(plain)}"]


def _is_placeholder(value: object) -> bool:
    if value is None:
        return True
    text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    return text.strip().lower() in PLACEHOLDERS or text == DEV_SECRET_KEY


class SettingsError(Exception):
    """Start-up refused: a setting is malformed or missing; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read Settings from the environment, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        if not error["loc"]:  # a check across settings: its message names the variables
            lines.append(_plain(error["msg"]))
            continue
        field = ".".join(str(part) for part in error["loc"])
        name = field.upper() if field.upper().startswith(("TWILIO_", "SENDGRID_")) else field
        variable = name if name.isupper() else f"CLOUDCITY_{field.upper()}"
        lines.append(f"{variable}: {error['msg']}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")
