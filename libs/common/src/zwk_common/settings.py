"""Typed settings shared by every service; each service subclasses with its own prefix."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "zwk-development-secret-change-me-0123456789"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def shared(name: str, default: Any) -> Any:
    """A field read from ZWK_<NAME> whatever the service's own prefix is."""
    # One .env configures the whole system; only service-specific fields
    # carry the service's prefix.
    return Field(default, validation_alias=AliasChoices(name, f"ZWK_{name.upper()}"))


def service_config(env_prefix: str) -> SettingsConfigDict:
    """The settings config of a service: its own prefix, shared fields under ZWK_."""
    return SettingsConfigDict(env_prefix=env_prefix, env_file=".env", extra="ignore", populate_by_name=True)


class ServiceSettings(BaseSettings):
    """Settings every service has; unsafe defaults are refused outside development and test."""

    model_config = service_config("ZWK_")

    environment: Environment = shared("environment", Environment.DEVELOPMENT)
    database_url: str = shared("database_url", "postgresql+asyncpg://postgres@127.0.0.1:5432/zwk")
    database_pool_size: int = shared("database_pool_size", 10)
    nats_url: str = shared("nats_url", "nats://127.0.0.1:4222")
    # The stream and subject root are settings so that test runs and several
    # installations can share one NATS server without seeing each other's events.
    event_stream: str = shared("event_stream", "ZWK")
    event_subject_root: str = shared("event_subject_root", "zwk")
    event_stream_replicas: int = shared("event_stream_replicas", 1)
    event_max_deliveries: int = shared("event_max_deliveries", 5)
    event_retry_backoff_seconds: float = shared("event_retry_backoff_seconds", 1.0)
    # Events handled at once by one process (all its consumers together); each
    # holds a database connection. None: half the connection pool.
    event_concurrency: int | None = shared("event_concurrency", None)
    jwt_secret: str = shared("jwt_secret", DEVELOPMENT_JWT_SECRET)
    jwt_issuer: str = shared("jwt_issuer", "zwk-development")
    jwt_audience: str = shared("jwt_audience", "zwk")
    oidc_jwks_url: str | None = shared("oidc_jwks_url", None)
    run_api: bool = shared("run_api", True)
    run_relay: bool = shared("run_relay", True)
    run_consumers: bool = shared("run_consumers", True)
    run_jobs: bool = shared("run_jobs", True)
    log_json: bool = shared("log_json", False)
    log_level: str = shared("log_level", "INFO")
    max_page_size: int = shared("max_page_size", 100)
    # How often consumer lag, dead letters and the outbox backlog are read into the metrics.
    metrics_interval_seconds: float = shared("metrics_interval_seconds", 5.0)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            if self.oidc_jwks_url is None and (self.jwt_secret == DEVELOPMENT_JWT_SECRET or len(self.jwt_secret) < 32):
                raise ValueError(
                    "production needs ZWK_OIDC_JWKS_URL or a ZWK_JWT_SECRET of 32+ characters "
                    "that is not the development default"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def subject_for(self, event_type: str) -> str:
        """The NATS subject of an event type (`zwk.x.y.z` under this installation's root)."""
        head, _, rest = event_type.partition(".")
        return f"{self.event_subject_root}.{rest}" if rest else self.event_subject_root
