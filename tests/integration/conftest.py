"""Fixtures of the integration tests: a throwaway Dovecot IMAP server, a small world of replies.

Dovecot is started once per session from the machine's ``dovecot`` binary
(``scripts/test`` installs it with apt-get). Without it the IMAP tests skip —
unless ``DONDOC_REQUIRE_DOVECOT=1`` (set by ``scripts/test``), where they fail.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import Session

from dondoc.config import load_catalog
from dondoc.mail.sink import MaildirSink
from dondoc.mail.transport import SmtpTransport
from dondoc.sync import sync_catalog
from tests.dovecot import DovecotServer, find_dovecot
from tests.integration.test_chase import morning
from tests.support.config import write_config
from tests.support.needs import unavailable


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server on a free loopback port, one user, no TLS (skips, or fails in CI, when unavailable)."""
    binary = find_dovecot()
    if binary is None:
        unavailable("dovecot", "DONDOC_REQUIRE_DOVECOT", "apt-get install dovecot-imapd")
    server = DovecotServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(tmp_path, engine):
    """The demo config synced (two agencies owe the 6-month report), an SMTP sink, a transport to it, the data dir."""
    catalog = load_catalog(write_config(tmp_path / "config"))
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=morning(dt.date(2021, 3, 1)), horizon_days=400)
    with MaildirSink(tmp_path / "mail") as sink:
        yield catalog, sink, SmtpTransport(host="127.0.0.1", port=sink.port), tmp_path / "data"


@pytest.fixture
def folder(dovecot) -> str:
    """A new, empty mailbox of the test user (a Vietnamese name: IMAP's modified UTF-7), so tests don't see each
    other's mail."""
    name = f"Báo cáo {uuid.uuid4().hex[:8]}"
    with dovecot.client() as client:
        client.create_folder(name)
    return name
