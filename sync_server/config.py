"""Server configuration from the environment (pydantic-settings).

Outside development the server refuses to start with the default admin token or without a real database URL:
a forgotten variable must fail loudly, not run a shop with a public default secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync_server.signing import DEV_KEY_PATH, Signer

DEFAULT_ADMIN_TOKEN = "dev-admin-token-change-me"


class TransportSettings(BaseSettings):
    """The limits the HTTP transport applies before the app sees a request (sync_server.transport)."""

    model_config = SettingsConfigDict(env_prefix="SKINLENS_", extra="ignore")

    header_timeout_seconds: float = 10.0  # a request line and headers must arrive within this, or the socket closes
    max_header_bytes: int = 16 * 1024  # request line and headers together; beyond: 431


class ServerSettings(TransportSettings):
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default="postgresql://localhost/skinlens", validation_alias="DATABASE_URL")
    admin_token: str = DEFAULT_ADMIN_TOKEN
    signing_key_path: Path | None = None  # Ed25519 private key (PEM); development falls back to a public dev key
    page_limit_max: int = 5000
    tombstone_retention_days: int = 90  # tombstones older than this may be compacted (`skinlens-server compact`)
    rate_limit_per_second: float = 20.0  # per token, per worker process
    rate_limit_burst: int = 200
    max_inflight_requests: int = 64  # per worker; beyond this requests get 503 + Retry-After
    max_import_bytes: int = 64 * 1024 * 1024  # the body of POST /v1/admin/catalog; beyond: 413
    max_body_bytes: int = 1024 * 1024  # any other request's body; beyond: 413
    body_timeout_seconds: float = 60.0  # a whole request body must arrive within this, or 408
    auth_failures_burst: int = 20  # wrong tokens a client address may present before it is slowed down ...
    auth_failures_per_second: float = 0.5  # ... and how fast that allowance comes back

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServerSettings:
        weak = self.admin_token == DEFAULT_ADMIN_TOKEN or len(self.admin_token) < 24
        if self.environment != "development" and weak:
            raise ValueError("SKINLENS_ADMIN_TOKEN must be set to a secret of at least 24 characters "
                             "outside development")
        if self.environment != "development" and (
                self.signing_key_path is None or self.signing_key_path.resolve() == DEV_KEY_PATH.resolve()):
            raise ValueError("SKINLENS_SIGNING_KEY_PATH must name your own Ed25519 key outside development "
                             "(create one with: skinlens-server keygen PATH)")
        return self

    def signer(self) -> Signer:
        return Signer.from_file(self.signing_key_path or DEV_KEY_PATH)

    @property
    def sqlalchemy_url(self) -> str:
        """psycopg 3 driver for plain postgresql:// URLs."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
