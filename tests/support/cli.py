"""The environment the ``dondoc`` command reads in the CLI tests: a data folder synced from the test configuration,
mail to an SMTP sink that writes a Maildir."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.mail.sink import MaildirSink
from tests.support.config import write_config


@contextmanager
def synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str) -> Iterator[MaildirSink]:
    """The test plan synced on 1/3/2021 into ``tmp_path/data`` (its SQLite database: no DONDOC_DATABASE_URL),
    the HMAC key ``secret``, and the sink the mail goes to."""
    with MaildirSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("DONDOC_HMAC_KEY", secret)
        monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
        assert CliRunner().invoke(app, ["sync", "--now", "2021-03-01"]).exit_code == 0
        yield sink
