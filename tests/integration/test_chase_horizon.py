"""The chase horizon: once a chase has sent everything due, a later one says "nothing to do" from one read.

Each chase here is ``dondoc chase`` run as a process (the console script's
entry point), and says which heavy modules it loaded: the short path loads
none of SQLAlchemy, SQLModel, pydantic, Jinja, aiosmtplib, the planning code
or the configuration reader. The test plan: two agencies report their
half-year by 19/5/2021 (reminders 10 and 3 working days before: 5/5 and
14/5, on the day, then overdue), and the coordinator its consolidated report
by 24/5 (reminders on 10/5, 19/5, 24/5…).
"""

from __future__ import annotations

import datetime as dt
import json
import mailbox
import os
import sqlite3
import subprocess
import sys

import pytest

from dondoc.mail.sink import MaildirSink
from dondoc.operations import chasing
from dondoc.settings import Settings
from dondoc.wiring import build
from tests.replies_helpers import reply_to
from tests.support.config import AREA, write_config

MORNING = "2021-05-05T09:00"  # 10 working days before 19/5/2021: both agencies' first reminder
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "jinja2", "aiosmtplib", "dondoc.chase", "dondoc.config")
ZERO = {"planned": 0, "queued": 0, "sent": 0, "failed": 0, "retrying": 0, "recovered": 0, "skipped": 0}
SCRIPT = (
    "import sys\n"
    "from dondoc.cli import run\n"
    "sys.argv = ['dondoc', *sys.argv[1:]]\n"
    "try:\n"
    "    run()\n"
    "finally:\n"
    f"    heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
    "    print('LOADED', ','.join(heavy), file=sys.stderr)\n"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The test plan synced on 1/3/2021, mail to a sink. Every command runs as a process: this one never holds a
    connection to the database while another process writes it (SQLite's locks are per process)."""
    monkeypatch.chdir(tmp_path)  # (no .env file there)
    for name in ("DONDOC_LOG_LEVEL", "DONDOC_LANG", "DONDOC_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with MaildirSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("DONDOC_HMAC_KEY", "horizon-test-secret")
        yield sink, tmp_path / "data" / "dondoc.sqlite3"


@pytest.fixture
def synced(env):
    dondoc("sync", "--now", "2021-03-01")
    return env


def dondoc(*args: str) -> tuple[subprocess.CompletedProcess, bool]:
    """``dondoc args…`` as a process: its result, and whether it took the short path (no heavy module loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], env=os.environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stderr.rpartition("LOADED ")[2].strip()
    return result, loaded == ""


def chase(now: str) -> tuple[dict, bool]:
    """A chase at ``now``: its summary, and whether it took the short path."""
    result, short = dondoc("chase", "--now", now, "--format", "json")
    return json.loads(result.stdout)["summary"], short


def horizon(database) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT since, until FROM chase_horizon").fetchall()


def delivered(sink) -> int:
    return sum(sink.stats.delivered.values())


def with_district_b(valid_from: str | None = None) -> str:
    """The test area with a second district, a member of the reporting group (from ``valid_from`` if given)."""
    return AREA.replace(
        "    contacts: [{address: vanthu@huyen-a.demo.example.org}]\n",
        "    contacts: [{address: vanthu@huyen-a.demo.example.org}]\n"
        "  - id: demo.ubnd-b\n"
        "    name: Ủy ban nhân dân huyện B\n"
        "    level: district\n"
        + (f"    valid_from: {valid_from}\n" if valid_from else "")
        + "    contacts: [{address: vanthu@huyen-b.demo.example.org}]\n",
    ).replace("members: [demo.ubnd-a]", "members: [demo.ubnd-a, demo.ubnd-b]")


def test_once_everything_due_was_sent_a_later_chase_is_a_no_op_by_the_short_path(synced):
    sink, database = synced
    assert chase(MORNING) == ({**ZERO, "planned": 2, "queued": 2, "sent": 2}, False)
    # the next reminder (the consolidated report's first) falls due on Monday 10/5 at 08:00 (01:00 UTC)
    assert horizon(database) == [("2021-05-05 02:00:00.000000", "2021-05-10 01:00:00.000000")]
    assert chase(MORNING) == (ZERO, True)
    assert chase("2021-05-05T15:00") == (ZERO, True)
    assert chase("2021-05-07T16:00") == (ZERO, True)
    assert chase("2021-05-09T09:00") == (ZERO, True)  # a Sunday, too
    assert delivered(sink) == 2
    # the same words, table and exit code as the full path's (a filter always takes the full path)
    for args in ([], ["--format", "csv"], ["--format", "table"]):
        short, was_short = dondoc("chase", "--now", "2021-05-06T10:00", *args)
        full, was_full_short = dondoc("chase", "--now", "2021-05-06T10:00", "--plan", "demo-2021", *args)
        assert (was_short, was_full_short) == (True, False)
        assert (short.stdout, short.returncode) == (full.stdout, full.returncode)
    assert "Đã xếp hàng 0, đã gửi 0, lỗi 0, thử lại sau 0, khôi phục 0." in short.stdout
    english, was_short = dondoc("--lang", "en", "chase", "--now", "2021-05-06T10:00")
    assert was_short and "Queued 0, sent 0, failed 0, retrying 0, recovered 0." in english.stdout


def test_before_its_moment_the_full_path_or_another_setting_decides(synced, monkeypatch):
    _, database = synced
    chase(MORNING)
    assert chase("2021-05-05T08:30")[1] is False  # before the chase that stored it: not covered
    assert chase(MORNING) == (ZERO, True)  # (the full run above left the horizon as it was)
    monkeypatch.setenv("DONDOC_SMTP_TIMEOUT", "12")  # another setting: another key
    assert chase(MORNING) == (ZERO, False)
    assert chase(MORNING) == (ZERO, True)  # the full run stored the horizon under the new key
    (tmp := database.parent.parent / ".env").write_text("DONDOC_SMTP_TIMEOUT=12\n")
    assert chase(MORNING) == (ZERO, False)  # a .env file: the settings read it, the short path does not
    tmp.unlink()
    # a dry run, a filter, a reminder requested by hand: always the full path
    assert dondoc("chase", "--now", MORNING, "--dry-run")[1] is False
    assert dondoc("chase", "--now", MORNING, "--agency", "demo.so-y-te")[1] is False


def test_a_chase_whose_settings_are_not_the_environments_stores_no_horizon(synced):
    _, database = synced
    other = build(Settings(timezone="Asia/Bangkok"))  # (the same offset as Hà Nội: only the setting differs)
    try:
        assert chasing.chase(other, now=dt.datetime(2021, 5, 5, 2, tzinfo=dt.UTC)).queued == 2
    finally:
        other.dispose()
    assert horizon(database) == []
    assert chase(MORNING) == (ZERO, False)
    assert chase(MORNING) == (ZERO, True)


def test_when_the_horizon_comes_the_chase_sends_the_next_stage(synced):
    sink, database = synced
    chase(MORNING)
    assert chase("2021-05-10T07:59") == (ZERO, True)
    assert chase("2021-05-10T09:00") == ({**ZERO, "planned": 1, "queued": 1, "sent": 1}, False)
    assert horizon(database) == [("2021-05-10 02:00:00.000000", "2021-05-14 01:00:00.000000")]
    assert chase("2021-05-13T16:29") == (ZERO, True)
    assert chase("2021-05-14T08:00") == ({**ZERO, "planned": 2, "queued": 2, "sent": 2}, False)
    assert delivered(sink) == 5
    assert horizon(database) == [("2021-05-14 01:00:00.000000", "2021-05-19 01:00:00.000000")]  # due on 19/5
    assert chase("2021-05-14T10:00") == (ZERO, True)
    assert chase("2021-05-19T08:00")[0]["sent"] == 3


def test_an_extension_voids_the_horizon_and_the_new_series_is_sent(synced):
    sink, database = synced
    chase(MORNING)
    deadlines = json.loads(dondoc("deadlines", "--format", "json")[0].stdout)
    first = next(d for d in deadlines if d["agency"] == "demo.so-y-te")
    dondoc("extend", str(first["id"]), "--to", "20/05/2021", "--reason", "Chờ số liệu")
    assert horizon(database) == []
    # 10 working days before 20/5 is 6/5: the new series' first reminder, though the horizon said 14/5
    assert chase("2021-05-06T09:00") == ({**ZERO, "planned": 1, "queued": 1, "sent": 1}, False)
    assert delivered(sink) == 3
    assert chase("2021-05-06T10:00") == (ZERO, True)


def test_a_new_agency_gets_its_deadline_by_sync_and_the_next_chase_reminds_it(synced, tmp_path):
    sink, database = synced
    chase(MORNING)
    write_config(tmp_path / "config", area=with_district_b())
    dondoc("sync", "--now", "2021-05-05T09:30")
    assert horizon(database) == []
    assert chase("2021-05-05T10:00") == ({**ZERO, "planned": 1, "queued": 1, "sent": 1}, False)
    assert len(sink.messages("vanthu@huyen-b.demo.example.org")) == 1
    assert chase("2021-05-05T11:00") == (ZERO, True)


def test_a_returned_submission_reopens_its_deadline_and_the_next_chase_reminds_it(synced, tmp_path, monkeypatch):
    sink, database = synced
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    monkeypatch.setenv("DONDOC_MAILDIR", str(tmp_path / "inbox"))
    chase(MORNING)
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    inbox.add(reply_to(reminder, sender="vanthu@syt.demo.example.org", body="Gửi báo cáo 6 tháng.", form_values={}))
    ingested = dondoc("ingest", "--now", "2021-05-06T10:00", "--format", "json")[0]
    assert json.loads(ingested.stdout)["submission"] == 1, ingested.stdout
    # Friday 14/5: the agency that has not reported is reminded, and the coordinator; the next stage is due on 19/5
    assert chase("2021-05-14T09:00")[0]["planned"] == 2
    assert chase("2021-05-14T09:30") == (ZERO, True)
    before = delivered(sink)
    dondoc("return", "1", "--reason", "Thiếu số liệu quý II", "--now", "2021-05-14T10:00")
    assert horizon(database) == []  # voided at once, whoever comes next
    summary, short = chase("2021-05-14T10:30")
    assert not short and (summary["planned"], summary["queued"]) == (1, 1)  # its stage of 14/5, not sent before
    assert delivered(sink) > before
    assert chase("2021-05-14T11:00") == (ZERO, True)


def test_each_table_that_can_add_work_voids_the_horizon_by_trigger(synced):
    _, database = synced
    chase(MORNING)
    changes = [
        "UPDATE deadline SET extended_to = '2021-05-21' WHERE id = 1",
        "UPDATE deadline SET status = 'open' WHERE id = 1",
        "INSERT INTO pause (agency_id, until, reason, created_at) "
        "VALUES ('demo.so-y-te', '2021-05-01', 'x', '2021-05-01 00:00:00')",
        "DELETE FROM pause",
        "UPDATE agency SET name = name WHERE id = 'demo.so-y-te'",
        "UPDATE contact SET flagged_at = NULL",
        "UPDATE plan SET title = title",
        "UPDATE obligation SET title = title",
        "UPDATE outbox SET stage = stage WHERE id = 1",
        "DELETE FROM outbox WHERE id = 2",
    ]
    for change in changes:
        with sqlite3.connect(database) as connection:
            connection.execute(
                "INSERT INTO chase_horizon (token, key, since, until) VALUES ('t', 'k', '2021-01-01', '2099-01-01')"
            )
            connection.execute(change)
            assert connection.execute("SELECT count(*) FROM chase_horizon").fetchone() == (0,), change
    with sqlite3.connect(database) as connection:  # what a chase itself writes keeps it
        connection.execute(
            "INSERT INTO chase_horizon (token, key, since, until) VALUES ('t', 'k', '2021-01-01', '2099-01-01')"
        )
        connection.execute("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = sent_at")
        assert connection.execute("SELECT count(*) FROM chase_horizon").fetchone() == (1,)


@pytest.mark.postgres
def test_on_postgresql_every_chase_takes_the_full_path_and_the_triggers_hold(env, pg_url, monkeypatch):
    monkeypatch.setenv("DONDOC_DATABASE_URL", pg_url)
    dondoc("sync", "--now", "2021-03-01")
    assert chase(MORNING) == ({**ZERO, "planned": 2, "queued": 2, "sent": 2}, False)
    assert chase(MORNING) == (ZERO, False)
    assert chase("2021-05-14T09:00") == ({**ZERO, "planned": 3, "queued": 3, "sent": 3}, False)
    import psycopg

    with psycopg.connect(pg_url.replace("+psycopg", "")) as connection:
        assert connection.execute("SELECT count(*) FROM chase_horizon").fetchone() == (0,)  # none stored
        for change in ("UPDATE deadline SET status = status", "DELETE FROM pause", "UPDATE outbox SET stage = stage"):
            connection.execute("INSERT INTO chase_horizon (token, key, since, until) VALUES ('t', 'k', now(), now())")
            connection.execute(change)
            assert connection.execute("SELECT count(*) FROM chase_horizon").fetchone() == (0,), change


def test_an_agency_that_exists_from_a_later_day_is_reminded_from_that_day(env, tmp_path):
    sink, database = env
    write_config(tmp_path / "config", area=with_district_b(valid_from="2021-05-07"))
    dondoc("sync", "--now", "2021-03-01")
    assert chase(MORNING)[0]["sent"] == 2  # not yet the new district
    # from its first day (Friday 7/5) its reminder of 5/5 is still to send: the horizon is then, not 10/5
    assert horizon(database) == [("2021-05-05 02:00:00.000000", "2021-05-07 01:00:00.000000")]
    assert chase("2021-05-06T16:00") == (ZERO, True)
    assert chase("2021-05-07T09:00") == ({**ZERO, "planned": 1, "queued": 1, "sent": 1}, False)
    assert len(sink.messages("vanthu@huyen-b.demo.example.org")) == 1
