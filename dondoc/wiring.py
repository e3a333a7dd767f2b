"""The composition root: builds the real objects from ``Settings``.

Flows, the CLI and tests all come through here, so there is one place that
decides which database, which configuration and which clock are used.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dondoc.chase import MailSetup
from dondoc.config import load_catalog, load_policy
from dondoc.errors import MailError
from dondoc.model import Catalog
from dondoc.policy import PolicyFile
from dondoc.settings import Settings
from dondoc.workdays import WorkCalendar

if TYPE_CHECKING:
    # imported when first used: the IMAP client only for an IMAP inbox; SQLAlchemy, Jinja and aiosmtplib only by
    # a command that reads the database, renders or sends (a chase with nothing to do needs none of them)
    import jinja2
    from sqlalchemy import Engine
    from sqlmodel import Session

    from dondoc.mail.sources import MailSource
    from dondoc.mail.transport import SmtpTransport

__all__ = ["App", "build"]


class App:
    """What a command or a flow needs: settings, the loaded config, the database."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None
        self._jinja: jinja2.Environment | None = None

    def catalog(self) -> Catalog:
        """The configuration, loaded and checked (``ConfigError`` if invalid)."""
        return load_catalog(self.settings.config_dir, cache_dir=self.settings.data_dir / "cache")

    def policy(self) -> PolicyFile:
        """``policy.yaml``, loaded and checked."""
        return load_policy(self.settings.config_dir)

    @property
    def engine(self) -> Engine:
        """The database engine, with the schema migrated to the newest revision."""
        if self._engine is None:
            from dondoc.db.engine import make_engine
            from dondoc.db.migrate import upgrade

            self.settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._engine = make_engine(
                self.settings.effective_database_url, busy_timeout=self.settings.database_busy_timeout
            )
            upgrade(self._engine)
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session, closed on exit."""
        from sqlmodel import Session

        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def calendar(self, catalog: Catalog) -> WorkCalendar:
        """The working-day calendar of the configured years."""
        return WorkCalendar(catalog.calendar_years.values())

    @property
    def jinja(self) -> jinja2.Environment:
        """The one Jinja environment over ``templates_dir``."""
        if self._jinja is None:
            from dondoc.mail.render import jinja_environment

            self._jinja = jinja_environment(self.settings.templates_dir)
        return self._jinja

    @property
    def report_template(self):
        """The Word template of the consolidated report."""
        return self.settings.templates_dir / "report" / "bao-cao-tong-hop.docx"

    def mail_setup(self) -> MailSetup:
        """What composing mail needs; ``MailError`` if the HMAC secret is missing."""
        key = self.settings.hmac_key
        if key is None or not key.get_secret_value():
            raise MailError(
                "DONDOC_HMAC_KEY is not set: the secret for Reply-To tokens must come from the "
                "environment (e.g. `export DONDOC_HMAC_KEY=$(openssl rand -hex 32)`)"
            )
        s = self.settings
        return MailSetup(
            env=self.jinja,
            sender=s.mail_from,
            sender_name=s.mail_from_name,
            domain=s.mail_domain,
            reply_local=s.reply_local,
            hmac_key=key.get_secret_value().encode(),
            timezone=s.timezone,
            attach_files=s.attach_forms,
            trusted_authserv_id=s.trusted_authserv_id,
        )

    def transport(self) -> SmtpTransport:
        """The SMTP transport of the settings."""
        from dondoc.mail.transport import SmtpTransport

        s = self.settings
        return SmtpTransport(
            host=s.smtp_host,
            port=s.smtp_port,
            security=s.smtp_security,
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout,
            connections=s.smtp_connections,
            local_hostname=s.local_hostname,
        )

    def source(self) -> MailSource:
        """The inbound mail source of the settings (Maildir by default, or IMAP)."""
        from dondoc.mail.sources import ImapSource, MaildirSource

        s = self.settings
        since = dt.datetime.combine(s.inbox_since, dt.time(), ZoneInfo(s.timezone)) if s.inbox_since else None
        if s.inbox == "imap":
            if not s.imap_user or s.imap_password is None:
                raise MailError("DONDOC_IMAP_USER and DONDOC_IMAP_PASSWORD must be set for an IMAP inbox")
            return ImapSource(
                host=s.imap_host,
                port=s.imap_port,
                username=s.imap_user,
                password=s.imap_password.get_secret_value(),
                mailbox=s.imap_mailbox,
                security=s.imap_security,
                timeout=s.imap_timeout,
                processed_folder=s.imap_processed_folder,
                max_bytes=s.inbox_max_bytes,
                since=since,
            )
        return MaildirSource(s.maildir or s.data_dir / "inbox", max_bytes=s.inbox_max_bytes, since=since)

    def now(self) -> dt.datetime:
        """The real clock, aware, in UTC (flows and commands accept an explicit ``now``)."""
        return dt.datetime.now(dt.UTC)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


PRIVATE = 0o077  # the umask of a dondoc process: what it creates is for its own user only


def build(settings: Settings | None = None) -> App:
    """An :class:`App` for ``settings`` (read from the environment if not given); logging set up for them.

    Also sets the process's umask to 077: every command and flow comes
    through here, and every file and folder they create (database, raw mail,
    attachments, reports, drafts, logs) holds the agencies' reports or their
    addresses, so none is readable by other users of the server.
    """
    from dondoc.logs import configure

    os.umask(PRIVATE)
    settings = settings or Settings()
    configure(settings)
    return App(settings)
