"""The one settings class: everything configurable, from the environment.

Every field reads ``DONDOC_<NAME>`` (e.g. ``DONDOC_DATABASE_URL``) or a
``.env`` file in the working directory. Secrets (SMTP/IMAP passwords, the
HMAC key) are ``SecretStr`` so they never print.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dondoc.resources import shipped

__all__ = ["Settings"]


class Settings(BaseSettings):
    """dondoc's settings; build one with ``Settings()`` at the edge, pass it down."""

    model_config = SettingsConfigDict(env_prefix="DONDOC_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("dondoc-data"), description="SQLite file, mailboxes, reports")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite under data_dir if unset")
    database_busy_timeout: float = Field(
        default=30.0, gt=0, description="seconds a SQLite write waits for another writer before 'database is locked'"
    )
    config_dir: Path = Field(default_factory=lambda: shipped("config"), description="plans, agencies, calendar")
    templates_dir: Path = Field(default_factory=lambda: shipped("templates"))
    timezone: str = "Asia/Ho_Chi_Minh"
    lang: Literal["vi", "en"] = Field(default="vi", description="language of the CLI's tables (`dondoc --lang en`)")

    # Outgoing mail (the coordinator's office).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    smtp_connections: int = Field(default=4, ge=1, le=32, description="reused connections in the pool")
    compose_workers: int = Field(
        default=1, ge=0, le=16, description="processes composing mail while the main one sends (0: none)"
    )
    smtp_rate_limit: int = Field(default=2000, ge=1, description="at most this many mails per run")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="WARNING", description="dondoc's own log level on stderr (INFO on a server)"
    )
    log_format: Literal["text", "json"] = Field(default="text", description="json: one JSON object per line")
    attach_forms: bool = Field(
        default=True, description="attach the reporting form (.xlsx) and the calendar invite (.ics) to each reminder"
    )
    mail_from: str = Field(default="dondoc@sldtbxh.example.org", description="the From address")
    mail_from_name: str = "Hệ thống đôn đốc báo cáo"
    reply_local: str = Field(default="baocao", description="local part of Reply-To: baocao+<token>@domain")
    mail_domain: str = Field(default="sldtbxh.example.org", description="Reply-To and Message-ID domain")
    local_hostname: str = Field(default="dondoc.local", description="EHLO name (avoids a slow FQDN lookup)")
    # Incoming mail: a Maildir (the embedded default) or an IMAP mailbox.
    inbox: Literal["maildir", "imap"] = "maildir"
    maildir: Path | None = Field(default=None, description="the inbox Maildir; data_dir/inbox if unset")
    inbox_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="a message larger than this is left at the source, unfetched, and named in the ingest output",
    )
    inbox_since: dt.date | None = Field(
        default=None,
        description="mail that arrived before this day "
        "(dd/mm/yyyy or yyyy-mm-dd, local time) is left at the source: counted "
        "and named on every run, never taken in",
    )
    imap_host: str = "127.0.0.1"
    imap_port: int = 993
    imap_security: Literal["none", "starttls", "tls"] = "tls"
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_mailbox: str = "INBOX"
    imap_processed_folder: str | None = Field(default=None, description="move processed mail here (IMAP)")
    imap_timeout: float = Field(default=60.0, gt=0)

    trusted_authserv_id: str | None = Field(
        default=None,
        description="the authserv-id of the office's own receiving mail server: its "
        "Authentication-Results header (dmarc=pass, or dkim=pass for the From domain) authenticates a sender; "
        "unset, only a reply carrying its token is taken without confirmation",
    )

    hmac_key: SecretStr | None = Field(default=None, description="secret for Reply-To tokens (DONDOC_HMAC_KEY)")

    web_secret: SecretStr | None = Field(
        default=None,
        description="key that signs the web console's session cookies (DONDOC_WEB_SECRET); unset, one "
        "is generated once per data dir in data_dir/web-secret (mode 0600)",
    )
    web_secure_cookies: bool | None = Field(
        default=None,
        description="mark the console's cookies Secure: unset, when the request came over HTTPS "
        "(directly or X-Forwarded-Proto from a trusted proxy); true behind a TLS proxy that does not say so",
    )
    web_trusted_proxies: str = Field(
        default="127.0.0.1",
        description="addresses whose X-Forwarded-For/-Proto headers `dondoc web` believes "
        "(comma-separated; the reverse proxy's)",
    )

    approval_timeout: dt.timedelta = Field(
        default=dt.timedelta(days=7),
        gt=dt.timedelta(0),
        description="how long a compile-report run waits for the coordinator's approval ('7 days', 'P7D', "
        "'12:00:00', 'PT30S'); then the run fails with a message and the draft stays approvable",
    )

    @field_validator("inbox_since", mode="before")
    @classmethod
    def _day(cls, value: object) -> object:
        """Also dd/mm/yyyy, as Vietnamese dates are written; an empty value is no date."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if found := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
                day, month, year = map(int, found.groups())
                return dt.date(year, month, day)
        return value

    @property
    def effective_database_url(self) -> str:
        """``database_url``, or a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dondoc.sqlite3').resolve()}"
