"""The one settings class: everything configurable, from the environment.

Every field reads ``DONDOC_<NAME>`` (e.g. ``DONDOC_DATABASE_URL``) or a
``.env`` file in the working directory. Secrets (SMTP/IMAP passwords, the
HMAC key) are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from dondoc.resources import shipped

__all__ = ["Settings"]


class Settings(BaseSettings):
    """dondoc's settings; build one with ``Settings()`` at the edge, pass it down."""

    model_config = SettingsConfigDict(env_prefix="DONDOC_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("dondoc-data"), description="SQLite file, mailboxes, reports")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite under data_dir if unset")
    config_dir: Path = Field(default_factory=lambda: shipped("config"), description="plans, agencies, calendar")
    templates_dir: Path = Field(default_factory=lambda: shipped("templates"))
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def effective_database_url(self) -> str:
        """``database_url``, or a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dondoc.sqlite3').resolve()}"
