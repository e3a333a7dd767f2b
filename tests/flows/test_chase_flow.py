"""The chase flow on a Prefect test server: sends, publishes its table, and a dry run sends nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from dondoc.mail.sink import MaildirSink
from tests.support.config import write_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
MORNING = dt.datetime(2021, 5, 5, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


@pytest.fixture
def sink(tmp_path, monkeypatch):
    from dondoc.flows.sync_plans import sync_plans

    with MaildirSink(tmp_path / "mail") as server:
        monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DONDOC_HMAC_KEY", "flow-test")
        sync_plans(now=dt.datetime(2021, 3, 1, tzinfo=dt.UTC))
        yield server


def test_chase_flow_sends_each_reminder_once(prefect_harness, sink):
    from prefect.client.orchestration import get_client

    from dondoc.flows.chase import chase

    dry = asyncio.run(chase(now=MORNING, dry_run=True))
    assert (dry["planned"], dry["queued"], dry["sent"]) == (2, 0, 0)
    first = asyncio.run(chase(now=MORNING))
    assert (first["queued"], first["sent"], first["failed"]) == (2, 2, 0)
    assert asyncio.run(chase(now=MORNING))["planned"] == 0
    assert sum(sink.stats.delivered.values()) == 2

    async def artifact():
        async with get_client() as client:
            return await client.read_latest_artifacts()

    latest = {a.key: a for a in asyncio.run(artifact())}
    assert "chase" in latest and latest["chase"].type == "table"


def test_status_digest_flow_mails_the_coordinator_once_a_week(prefect_harness, sink):
    from dondoc.flows.status_digest import status_digest

    monday = dt.datetime(2021, 5, 24, 0, 30, tzinfo=dt.UTC)  # 07:30 in Hà Nội
    first = status_digest(now=monday)
    assert (first["queued"], first["sent"], first["failed"]) == (1, 1, 0)
    assert status_digest(now=monday + dt.timedelta(hours=1))["queued"] == 0
    assert sink.stats.delivered.get("vanthu@sldtbxh.demo.example.org") == 1


def test_a_locked_database_fails_the_chase_flow_with_the_one_line_then_the_next_run_sends(
    prefect_harness, sink, tmp_path, monkeypatch
):
    import sqlite3

    from dondoc.flows.chase import chase
    from tests import figures

    figures.add(figures.FAULTS)
    monkeypatch.setenv("DONDOC_DATABASE_BUSY_TIMEOUT", "0.5")
    locker = sqlite3.connect(tmp_path / "data" / "dondoc.sqlite3", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        state = asyncio.run(chase(now=MORNING, return_state=True))
    finally:
        locker.close()
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert str(error).startswith("cơ sở dữ liệu đang bị khóa / database is locked"), error
    assert "Traceback" not in str(state.message)
    assert sum(sink.stats.delivered.values()) == 0
    assert asyncio.run(chase(now=MORNING))["sent"] == 2
    assert sum(sink.stats.delivered.values()) == 2


def _task_runs(flow_run_id) -> dict[str, str]:
    """Task name → state name of one flow run's task runs, as the server holds them (the UI's view)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read():
        async with get_client() as client:
            return await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))

    return {run.name.rsplit("-", 1)[0]: run.state_name for run in asyncio.run(read())}


def _until(what, seconds: float = 60.0):
    """``what()`` once it is truthy (task-run states reach the server as events, a moment after the run ends)."""
    import time

    deadline = time.monotonic() + seconds
    while not (value := what()):
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s"
        time.sleep(0.5)
    return value


def test_the_chase_run_shows_its_two_tasks_completed_and_the_send_task_keeps_its_retry(prefect_harness, sink):
    from dondoc.flows.chase import chase, send

    state = asyncio.run(chase(now=MORNING, return_state=True))
    assert state.is_completed() and state.result()["sent"] == 2
    expected = {"queue-reminders": "Completed", "deliver-outbox": "Completed"}
    assert _until(lambda: _task_runs(state.state_details.flow_run_id) == expected or None)
    assert (send.retries, send.retry_delay_seconds) == (1, 30)


def test_the_ingest_run_shows_its_task_completed(prefect_harness, sink, tmp_path, monkeypatch):
    import mailbox

    from dondoc.flows.ingest_replies import ingest_replies

    mailbox.Maildir(tmp_path / "inbox", create=True)
    monkeypatch.setenv("DONDOC_INBOX", "maildir")
    monkeypatch.setenv("DONDOC_MAILDIR", str(tmp_path / "inbox"))
    state = asyncio.run(ingest_replies(now=MORNING, return_state=True))
    assert state.is_completed(), state.message
    assert _until(lambda: _task_runs(state.state_details.flow_run_id) == {"take-in-replies": "Completed"} or None)


def test_a_flow_run_builds_no_api_client_per_task(prefect_harness, sink, monkeypatch):
    """The tasks are async and share the flow's client: a chase run (two tasks) builds the engine's client and the
    one Prefect's result store builds for its lookup, no more (a synchronous task builds one more per task run,
    ≈ 26 ms each: an SSL context loaded from the CA bundle)."""
    from prefect.client.orchestration import PrefectClient, SyncPrefectClient

    from dondoc.flows.chase import chase

    built = []
    for kind in (PrefectClient, SyncPrefectClient):
        original = kind.__init__

        def counted(self, *args, _original=original, **kwargs):
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, "__init__", counted)
    assert asyncio.run(chase(now=MORNING))["sent"] == 2
    assert sorted(built) == ["PrefectClient", "SyncPrefectClient"]
