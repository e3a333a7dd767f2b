"""Logs: JSON lines with run ids; no configured secret in any log line, output, file or database of a full cycle."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.mail.sink import MaildirSink
from tests.replies_helpers import reply_to
from tests.support.config import write_config

HMAC = "hmac-Secret-7f3a9c1e5b"


@pytest.fixture
def cycle(tmp_path, monkeypatch, dovecot):
    folder = f"logs-{uuid.uuid4().hex[:8]}"
    with dovecot.client() as client:
        client.create_folder(folder)
    with MaildirSink(tmp_path / "mail") as sink:
        for name, value in {
            "DONDOC_DATA_DIR": str(tmp_path / "data"),
            "DONDOC_CONFIG_DIR": str(write_config(tmp_path / "config")),
            "DONDOC_SMTP_PORT": str(sink.port),
            "DONDOC_HMAC_KEY": HMAC,
            "DONDOC_INBOX": "imap",
            "DONDOC_IMAP_HOST": "127.0.0.1",
            "DONDOC_IMAP_PORT": str(dovecot.port),
            "DONDOC_IMAP_SECURITY": "none",
            "DONDOC_IMAP_USER": dovecot.user,
            "DONDOC_IMAP_PASSWORD": dovecot.password,
            "DONDOC_IMAP_MAILBOX": folder,
            "DONDOC_LOG_LEVEL": "DEBUG",
            "DONDOC_LOG_FORMAT": "json",
        }.items():
            monkeypatch.setenv(name, value)
        yield tmp_path, sink, dovecot, folder


def test_a_full_cycle_logs_no_secret_anywhere(cycle, caplog):
    root, sink, dovecot, folder = cycle
    secrets = [HMAC, dovecot.password]
    caplog.set_level(logging.DEBUG)  # every logger: dondoc, prefect, aiosmtplib, imapclient, sqlalchemy…
    outputs = []

    def invoke(*args):
        result = CliRunner().invoke(app, list(args))
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
        return result

    invoke("sync", "--now", "2021-03-01")
    invoke("chase", "--now", "2021-05-05T09:00")
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    dovecot.deliver(
        reply_to(reminder, sender="vanthu@syt.demo.example.org", body="Gửi báo cáo 6 tháng.", form_values={}), folder
    )
    ingest = json.loads(invoke("ingest", "--now", "2021-05-10T10:00", "--format", "json").stdout)
    assert ingest["submission"] == 1
    invoke(
        "report", "build", "demo-2021", "--obligation", "tong-hop", "--period", "2021-H1", "--now", "2021-05-21T08:00"
    )
    invoke("status", "--now", "2021-05-21")
    invoke("doctor")
    logging.getLogger("some.library").debug("LOGIN %s %s", dovecot.user, dovecot.password)  # as a careless one would
    assert f"LOGIN {dovecot.user} ***" in caplog.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "imapclient" in {r.name.split(".")[0] for r in caplog.records}  # the IMAP conversation was logged
    files = [p for p in (root / "data").rglob("*") if p.is_file()] + [
        p for p in (root / "mail").rglob("*") if p.is_file()
    ]
    assert any(p.suffix == ".docx" for p in files) and any(p.name.endswith(".sqlite3") for p in files)
    for secret in secrets:
        assert secret not in logged
        assert secret not in caplog.text
        assert all(secret not in output for output in outputs)
        for path in files:
            assert secret.encode() not in path.read_bytes(), path


def test_json_lines_carry_a_run_id(cycle, capsys):
    CliRunner().invoke(app, ["sync", "--now", "2021-03-01"])
    result = CliRunner().invoke(app, ["chase", "--now", "2021-05-05T09:00"])
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [summary] = [entry for entry in lines if entry["logger"] == "dondoc.chase"]
    assert summary["level"] == "INFO" and summary["message"].startswith("chase: {")
    assert len(summary["run_id"]) >= 12
    assert dt.datetime.strptime(summary["time"], "%Y-%m-%dT%H:%M:%S.%f")
