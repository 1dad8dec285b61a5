"""Settings from the environment (and an optional .env file), validated once at start-up."""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///./bot.db"
    flows_dir: Path = Path("flows")

    # Production unless said otherwise: only `make run` sets development (a local data key is made
    # for it, see bot.keys). Production refuses to start without DATA_KEY.
    environment: Literal["production", "development"] = "production"
    # Seals answers at rest and keys the hashes of caller IDs and addresses (bot.keys); 32+ characters.
    data_key: SecretStr | None = None
    # Or a file holding it (a mounted secret); DATA_KEY wins when both are set.
    data_key_file: Path | None = None
    # Keys rotated out, comma-separated: what they sealed still opens until `bot data rekey` re-seals it.
    data_keys_retired: SecretStr | None = None
    # Conversations, transcripts and chat rows older than this are deleted by `bot data purge`.
    retention_days: int = Field(default=90, ge=1, le=3650)
    # The API description at /openapi.json; off in normal running.
    debug: bool = False
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or networks,
    # comma-separated ("*" trusts any: never on a server reachable directly).
    forwarded_allow_ips: str = "127.0.0.1"

    twilio_auth_token: str | None = None
    # Explicit opt-out only: with no token the server refuses Twilio webhooks unless this is false.
    twilio_validate_signature: bool = True
    public_base_url: str | None = None
    twilio_account_sid: str | None = None
    # TaskRouter workflow that <Enqueue> hands tasks to; empty means plain named queues.
    twilio_workflow_sid: str | None = None
    # Twilio Verify service (VA...) that sends and checks one-time codes; with the account SID and
    # auth token it enables `one_time_code` steps. Empty: flows that need codes are refused at load.
    twilio_verify_service_sid: str | None = None
    # The number (E.164) or Messaging Service SID (MG...) that after-hours text messages come from.
    twilio_sms_from: str | None = None
    # Every REST call (Messages, Verify, Calls) goes here instead of Twilio: a local mock, an egress proxy.
    twilio_api_base_url: str | None = None
    # Self-service look-ups (`lookup` steps): the business endpoint, its HMAC-SHA256 key, and how long
    # a caller may wait for it (well inside Twilio's 15-second budget for the whole reply).
    self_service_url: str | None = None
    self_service_secret: str | None = None
    self_service_timeout_seconds: float = Field(default=3.0, gt=0, le=8)

    # The longest a caller waits for an answer: past it a call hears the apology and goes to a colleague,
    # a chat gets a clear message, and the turn changes nothing. Well inside Twilio's 15 seconds; the
    # database's connect, lock and statement timeouts are set inside it (bot.store.db).
    turn_timeout_seconds: float = Field(default=10.0, ge=1, le=14)
    # PostgreSQL connections each `bot serve` worker keeps open (its turns run on up to 40 threads).
    # Workers x hosts x this (plus the `bot` command's few) must stay under the server's max_connections.
    database_pool_size: int = Field(default=40, ge=1, le=500)

    default_region: str = "GB"
    log_level: str = "INFO"
    # "text" (a line per record) or "json" (one object per line, with conversation id and masked CallSid).
    log_format: str = "text"
    # /metrics (Prometheus) answers a bearer token, or clients from these addresses (comma-separated
    # IPs or networks); with neither set it answers no one.
    metrics_token: str | None = None
    metrics_allow_ips: str | None = None

    # Chat channels (SMS, WhatsApp, web): a conversation idle this long is over; the next message starts afresh.
    chat_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Longest web chat message accepted (characters); Twilio caps an SMS/WhatsApp Body at 1600.
    chat_max_message_chars: int = Field(default=500, ge=20, le=1600)
    # Web chat requests allowed per rolling window: per session, and per client address.
    chat_rate_limit_per_session: int = Field(default=30, ge=1)
    chat_rate_limit_per_client: int = Field(default=60, ge=1)
    chat_rate_window_seconds: int = Field(default=60, ge=1, le=3600)
    # Where chat handoffs are posted (transcript + context, HMAC-SHA256 signed with the secret).
    agent_desk_url: str | None = None
    agent_desk_secret: str | None = None
    agent_desk_attempts: int = Field(default=5, ge=1, le=20)
    agent_desk_backoff_seconds: float = Field(default=2.0, ge=0, le=300)
    agent_desk_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The supervisors' console (/console): a session ends after this long idle, or this long after sign-in.
    console_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    console_session_hours: float = Field(default=12, gt=0, le=7 * 24)

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("PUBLIC_BASE_URL must start with http:// or https://")
        return value

    @field_validator("agent_desk_url", "twilio_api_base_url", "self_service_url")
    @classmethod
    def _http_url(cls, value: str | None, info) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{info.field_name.upper()} must start with http:// or https://")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("text", "json"):
            raise ValueError("LOG_FORMAT must be text or json")
        return value

    @field_validator("metrics_allow_ips")
    @classmethod
    def _allow_ips(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        for item in value.split(","):
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"METRICS_ALLOW_IPS: {item.strip()!r} is not an IP address or network") from None
        return value

    @field_validator("twilio_auth_token", "twilio_workflow_sid", "twilio_account_sid", "agent_desk_secret",
                     "twilio_verify_service_sid", "self_service_secret", "metrics_token")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            hint = " (the United Kingdom is GB)" if value == "UK" else ""
            raise ValueError(f"{value!r} is not a region phone numbers can be read in{hint}; "
                             "use an ISO 3166 alpha-2 code such as GB, US, IE or CA")
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for item in (v.strip() for v in value.split(",")):
            if item and item != "*":
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(f"FORWARDED_ALLOW_IPS: {item!r} is not an IP address or network") from None
        return value

    @field_validator("data_key", "data_keys_retired")
    @classmethod
    def _empty_secret_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @model_validator(mode="after")
    def _refuse_placeholder_token(self) -> "Settings":
        if self.twilio_auth_token and self.twilio_auth_token.lower() in {"changeme", "your-auth-token", "xxx"}:
            raise ValueError("TWILIO_AUTH_TOKEN is a placeholder; set the real token or leave it empty")
        if self.agent_desk_url and (not self.agent_desk_secret or len(self.agent_desk_secret) < 16):
            # An unsigned handoff could be forged by anyone who finds the desk's URL.
            raise ValueError("AGENT_DESK_URL is set: AGENT_DESK_SECRET must be set too, at least 16 characters")
        if self.self_service_url and (not self.self_service_secret or len(self.self_service_secret) < 16):
            # The endpoint answers with customer data: it must be able to tell our requests from anyone's.
            raise ValueError("SELF_SERVICE_URL is set: SELF_SERVICE_SECRET must be set too, at least 16 characters")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ValueError("METRICS_TOKEN must be at least 16 characters")
        if self.twilio_verify_service_sid:
            sid = self.twilio_verify_service_sid
            if not (sid.startswith("VA") and len(sid) == 34 and sid[2:].isalnum()):
                raise ValueError("TWILIO_VERIFY_SERVICE_SID must be a Verify service SID: VA followed by 32 characters")
            if not (self.twilio_account_sid and self.twilio_auth_token):
                # The REST client authenticates with both; a half-configured Verify would fail mid-call.
                raise ValueError("TWILIO_VERIFY_SERVICE_SID is set: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set too")
        return self

    @property
    def data_keys_retired_list(self) -> list[str]:
        raw = self.data_keys_retired.get_secret_value() if self.data_keys_retired is not None else ""
        return [v.strip() for v in raw.split(",") if v.strip()]

    @property
    def proxies(self) -> list[str]:
        return [v.strip() for v in self.forwarded_allow_ips.split(",") if v.strip()]

    @property
    def metrics_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The addresses /metrics answers without a token."""
        if not self.metrics_allow_ips:
            return []
        return [ipaddress.ip_network(item.strip(), strict=False) for item in self.metrics_allow_ips.split(",")]

    @property
    def verify_configured(self) -> bool:
        """One-time codes can be sent: a Verify service and the credentials to call it."""
        return bool(self.twilio_verify_service_sid and self.twilio_account_sid and self.twilio_auth_token)


@lru_cache
def get_settings() -> Settings:
    return Settings()
