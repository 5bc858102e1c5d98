"""Settings from the environment and `.env`; one instance per process."""

import math
from collections import Counter
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A production SECRET_KEY: at least this long, and this many bits by a (generous) estimate from its
# characters' frequencies. `openssl rand -hex 32` gives ~240; 32 × "x" gives 0.
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 160


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./data/app.db"
    # Signs access tokens. Unset outside production: a secret generated for this installation and
    # kept in `secret_key_file` (data/ is git-ignored), so no two installations share one.
    secret_key: str | None = None
    secret_key_file: str = "data/secret_key"
    # Where `api.cli serve` (make run) listens: this machine only, unless set (the image sets 0.0.0.0).
    host: str = "127.0.0.1"
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # A refresh token used again within this many seconds (a phone retrying) answers the same pair;
    # later, reuse revokes its whole family. 0: any reuse revokes.
    refresh_reuse_seconds: int = Field(default=30, ge=0, le=300)
    # How long a worker trusts what it read of a caller (active, grants, sign-in not ended): a change
    # reaches every worker's requests within this time.
    auth_cache_seconds: float = Field(default=2.0, gt=0, le=5)
    cors_origins: list[str] = []
    # Set (e.g. 31536000) when the app is reached over HTTPS only, TLS terminating in front of it:
    # browsers are then told never to use plain HTTP (Strict-Transport-Security). 0: not sent.
    hsts_seconds: int = Field(default=0, ge=0)
    # Request bodies: JSON (and forms) up to `max_body_bytes`, a file upload (the household import) up
    # to `max_upload_bytes`; past it 413, from Content-Length before anything is read.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    port: int = Field(default=8000, ge=1, le=65535)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # PostgreSQL: seconds to connect (and, half a second at most, to answer the check of a pooled
    # connection or, while it is down, to connect again), to wait for a pooled connection, and for
    # one statement. Once the database fails to answer, requests get 503 at once, and one of them
    # tries again every `db_retry_seconds` (half a second: back within a second of its return).
    db_connect_timeout: float = Field(default=2.0, gt=0, le=60)
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300)
    db_statement_timeout: float = Field(default=30.0, gt=0, le=3600)
    db_retry_seconds: float = Field(default=0.5, gt=0, le=60)
    # argon2 cost: the defaults are the library's (64 MiB, t=3); tests lower them for speed.
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_time_cost: int = Field(default=3, ge=1)
    # Failed sign-ins within `login_window_seconds`: per name and client address (the real user's
    # phone is not locked out by bad passwords sent from elsewhere), per name from anywhere (a looser
    # cap on guessing from many addresses), and per address (one address trying many names).
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_name: int = Field(default=50, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    # Reverse proxies (addresses or networks, e.g. ["10.0.0.0/8"]) whose X-Forwarded-For names the
    # client; from any other peer the header is ignored.
    trusted_proxies: list[str] = []
    login_window_seconds: int = Field(default=900, ge=1)
    # Shared counters (rate limits, login throttling) for several workers or machines; in-process
    # when unset. `redis://host:6379/0`; keys start with `redis_prefix`.
    redis_url: str | None = None
    redis_prefix: str = Field(default="cnscd:", max_length=100)
    # Requests per minute per caller (a user or an API key), with bursts of `rate_limit_burst`
    # at once; 0 turns the limit off. Sign-in, refresh and logout: per client address.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    rate_limit_anonymous_per_minute: int = Field(default=60, ge=0)
    rate_limit_anonymous_burst: int = Field(default=20, ge=1)
    # Logs: one JSON object per line (the default in production) or text; the access log line per
    # request can be turned off. `/metrics` asks for `Authorization: Bearer <metrics_token>` when set.
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True
    metrics_token: str | None = None
    # Personal data (Law 91/2025/QH15, app/privacy). REQUIRE_CONSENT: a household without consent
    # (`consent_on`) keeps no phone or address. ACCESS_LOG_PERSONAL: record who read personal fields.
    # Retention (`purge-personal-data`): personal fields leave audit snapshots after
    # `personal_audit_days`; access-log entries are deleted after `access_log_days`.
    require_consent: bool = False
    access_log_personal: bool = True
    personal_audit_days: int = Field(default=5 * 365, ge=1)
    access_log_days: int = Field(default=2 * 365, ge=1)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept plain `postgresql://` and `sqlite://` URLs and pick the async driver."""
        for plain, async_ in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgresql+psycopg2://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return async_ + url[len(plain) :]
        return url

    @field_validator("redis_url", "metrics_token", "log_format", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        """An empty variable (as compose passes an unset one) means unset."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _any_case(cls, value, info):
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" if self.log_format else self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_production(self) -> None:
        """Refuse to run production with a secret that is missing, short or guessable."""
        if self.environment != "production":
            return
        secret = self.secret_key or ""
        if len(secret) < MIN_SECRET_LENGTH or estimated_bits(secret) < MIN_SECRET_BITS:
            raise ConfigError(
                f"SECRET_KEY is missing, shorter than {MIN_SECRET_LENGTH} characters or not random enough: "
                "set SECRET_KEY=$(openssl rand -hex 32) to run with ENVIRONMENT=production."
            )

    # A PostgreSQL streaming replica for KPI reads, breakdowns and report exports (app/core/replica.py).
    # Reads go back to the primary while it is unreachable or replays more than
    # `replica_max_lag_seconds` behind, checked at most every `replica_check_seconds`.
    database_replica_url: str | None = None
    replica_max_lag_seconds: float = Field(default=30, gt=0)
    replica_check_seconds: float = Field(default=5, gt=0)

    @field_validator("database_replica_url", mode="before")
    @classmethod
    def _replica_url(cls, url):
        """Blank is unset (as compose passes it); otherwise the same drivers as DATABASE_URL."""
        if isinstance(url, str):
            url = url.strip()
            return cls._async_driver(url) if url else None
        return url


def estimated_bits(secret: str) -> float:
    """An upper bound of a secret's entropy from its characters' frequencies: repeats and short
    alphabets score low (32 × "x" is 0 bits), random strings score about their length × log2 of
    their alphabet."""
    counts = Counter(secret)
    return -sum(n * math.log2(n / len(secret)) for n in counts.values()) if secret else 0.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
