"""Server configuration from the environment (pydantic-settings).

Outside development the server refuses to start with the default admin token or without a real database URL:
a forgotten variable must fail loudly, not run a shop with a public default secret.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ADMIN_TOKEN = "dev-admin-token-change-me"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKINLENS_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default="postgresql://localhost/skinlens", validation_alias="DATABASE_URL")
    admin_token: str = DEFAULT_ADMIN_TOKEN
    # host -> affiliate template; `{url}` is the product URL. Only https URLs on these hosts are accepted.
    retailers: dict[str, str] = {
        "www.lookfantastic.com": "{url}?affil=skinlens",
        "lookfantastic.com": "{url}?affil=skinlens",
    }
    page_limit_max: int = 5000
    tombstone_retention_days: int = 90

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServerSettings:
        weak = self.admin_token == DEFAULT_ADMIN_TOKEN or len(self.admin_token) < 24
        if self.environment != "development" and weak:
            raise ValueError("SKINLENS_ADMIN_TOKEN must be set to a secret of at least 24 characters "
                                 "outside development")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """psycopg 3 driver for plain postgresql:// URLs."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
