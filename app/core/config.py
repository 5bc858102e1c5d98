"""Settings from the environment and `.env`; one instance per process."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-secret-change-me"


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./data/app.db"
    secret_key: str = DEFAULT_SECRET_KEY
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    cors_origins: list[str] = []
    port: int = Field(default=8000, ge=1, le=65535)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # argon2 cost: the defaults are the library's (64 MiB, t=3); tests lower them for speed.
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_time_cost: int = Field(default=3, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)

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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_production(self) -> None:
        """Refuse to run production with a secret anybody could read in the source."""
        if self.environment != "production":
            return
        if not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise ConfigError(
                "SECRET_KEY is missing, default or shorter than 32 characters: "
                "set a long random SECRET_KEY to run with ENVIRONMENT=production."
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
