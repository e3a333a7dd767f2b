"""A missing program skips the test that needs it, or fails it where scripts/test (CI) requires it."""

from __future__ import annotations

import pytest

from tests.support.needs import unavailable


def test_a_missing_program_skips_the_test_with_how_to_install_it(monkeypatch):
    monkeypatch.delenv("DONDOC_REQUIRE_DOVECOT", raising=False)
    monkeypatch.delenv("DONDOC_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^dovecot not found \(apt-get install dovecot-imapd\)$"):
        unavailable("dovecot", "DONDOC_REQUIRE_DOVECOT", "apt-get install dovecot-imapd")
    with pytest.raises(pytest.skip.Exception, match=r"^PostgreSQL binaries \(initdb, pg_ctl\) not found$"):
        unavailable("PostgreSQL binaries (initdb, pg_ctl)", "DONDOC_REQUIRE_POSTGRES")


def test_where_it_is_required_a_missing_program_fails_the_test(monkeypatch):
    monkeypatch.setenv("DONDOC_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception, match=r"^chromium not found and DONDOC_REQUIRE_CHROMIUM=1$"):
        unavailable("chromium", "DONDOC_REQUIRE_CHROMIUM", "apt-get install chromium")
