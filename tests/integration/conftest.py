"""Fixtures of the integration tests: a throwaway Dovecot IMAP server.

Dovecot is started once per session from the machine's ``dovecot`` binary
(``scripts/test`` installs it with apt-get). Without it the IMAP tests skip —
unless ``DONDOC_REQUIRE_DOVECOT=1`` (set by ``scripts/test``), where they fail.
"""

from __future__ import annotations

import os

import pytest

from tests.dovecot import DovecotServer, find_dovecot


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server on a free loopback port, one user, no TLS (skips, or fails in CI, when unavailable)."""
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("DONDOC_REQUIRE_DOVECOT") == "1":
            pytest.fail("dovecot not found and DONDOC_REQUIRE_DOVECOT=1")
        pytest.skip("dovecot not found (apt-get install dovecot-imapd)")
    server = DovecotServer(binary)
    server.start()
    yield server
    server.stop()
