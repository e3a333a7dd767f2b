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
