"""A chase with nothing to do: no reminder may go out (a day off, before office hours) and the outbox is idle.

It answers like any other chase (all counts zero) without loading SQLAlchemy,
Jinja or aiosmtplib; as soon as the outbox holds a row to send or to put
back, or a reminder may be due, the full run goes on as before.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.db.idle import outbox_idle
from dondoc.operations import chasing
from dondoc.wiring import build
from tests.support.cli import synced

runner = CliRunner()
SUNDAY = "2021-05-09T09:00"  # a day off: no reminder may go out
MORNING = "2021-05-05T09:00"  # a working morning, 10 working days before 19/5/2021: two reminders are due
BEFORE_HOURS = "2021-05-05T06:00"  # the same day, before office hours


@pytest.fixture
def env(tmp_path, monkeypatch):
    with synced(tmp_path, monkeypatch, "idle-test-secret") as sink:
        yield sink, tmp_path / "data" / "dondoc.sqlite3"


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def chase(now: str) -> dict:
    result = runner.invoke(app, ["chase", "--now", now, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


ZERO = {"planned": 0, "queued": 0, "sent": 0, "failed": 0, "retrying": 0, "recovered": 0, "skipped": 0}


def test_a_chase_with_nothing_to_do_imports_no_database_library(env):
    _, database = env
    assert outbox_idle(f"sqlite:///{database}")
    code = (
        "import sys\n"
        "from dondoc.cli import run\n"
        f"sys.argv = ['dondoc', 'chase', '--now', '{SUNDAY}', '--format', 'json']\n"
        "try:\n"
        "    run()\n"
        "finally:\n"
        "    heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'jinja2', 'aiosmtplib') if m in sys.modules)\n"
        "    print('LOADED', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=os.environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"] == ZERO
    assert "LOADED []" in result.stderr, result.stderr


def test_a_day_off_or_before_hours_sends_nothing_and_a_working_morning_sends_once(env):
    sink, _ = env
    assert chase(SUNDAY)["summary"] == ZERO
    assert chase(BEFORE_HOURS)["summary"] == ZERO
    assert sum(sink.stats.delivered.values()) == 0
    assert chase(MORNING)["summary"]["sent"] == 2
    assert chase(MORNING)["summary"] == ZERO  # a working morning: the full run, which finds both stages sent
    assert sum(sink.stats.delivered.values()) == 2


def test_a_day_off_still_sends_what_the_outbox_holds_and_puts_back_what_a_dead_run_left(env):
    sink, database = env
    # queued on a working morning without sending (as the flow's queue step does), then a Sunday's chase sends them
    app_ = build()
    try:
        assert chasing.chase(app_, now=moment(MORNING), send=False).queued == 2
    finally:
        app_.dispose()
    assert not outbox_idle(f"sqlite:///{database}")
    assert chase(SUNDAY)["summary"]["sent"] == 2
    assert sum(sink.stats.delivered.values()) == 2
    assert outbox_idle(f"sqlite:///{database}")
    # a row a run left 'sending' on Wednesday (its lease long expired): the Sunday's chase puts it back and sends it
    with sqlite3.connect(database) as connection:
        (claimed_at,) = connection.execute("SELECT sent_at FROM outbox WHERE id = 2").fetchone()
        wednesday = claimed_at.replace("2021-05-09", "2021-05-05")  # stored as SQLAlchemy writes it
        assert wednesday != claimed_at
        connection.execute(
            "UPDATE outbox SET status = 'sending', claimed_by = 'elsewhere.example.org:1:x', claimed_at = ? "
            "WHERE id = 1",
            (wednesday,),
        )
    assert not outbox_idle(f"sqlite:///{database}")
    again = chase(SUNDAY)["summary"]
    assert (again["recovered"], again["sent"]) == (1, 1)
    # the same message again (same Message-ID), as after a crash: the mailbox drops the copy
    assert (sink.stats.received, sink.stats.duplicates, sum(sink.stats.delivered.values())) == (3, 1, 2)


def test_outbox_idle_says_no_whenever_unsure(tmp_path, env):
    _, database = env
    assert not outbox_idle("postgresql://dondoc@localhost/dondoc")
    assert not outbox_idle(f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    assert not outbox_idle("sqlite:///:memory:")
    assert not outbox_idle(f"sqlite:///{database}?timeout=5")
    copy = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # (the file alone would miss what is still in its write-ahead log)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")  # a schema still to migrate
    assert not outbox_idle(f"sqlite:///{copy}")
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert not outbox_idle(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # no tables yet
    assert outbox_idle(f"sqlite:///{database}")
