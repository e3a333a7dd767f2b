"""The compile-report flow's approval pause on a Prefect test server: it waits days by default, and a run that
nobody answers in time ends Failed with a message, never left "Paused"; its draft stays approvable."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.mail.sink import MaildirSink
from tests.support.config import AREA, write_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
REPORT_AT = dt.datetime(2021, 5, 21, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội, after the agencies' last day
UPSTREAM = "vanthu@ubnd.demo.example.org"
PERIOD = dict(plan="demo-2021", obligation="tong-hop", period="2021-H1")


@pytest.fixture
def sink(tmp_path, monkeypatch):
    from dondoc.flows.sync_plans import sync_plans

    province = "    name: Ủy ban nhân dân tỉnh Mẫu\n    level: province\n"
    area = AREA.replace(province, f"{province}    contacts: [{{address: {UPSTREAM}}}]\n")
    with MaildirSink(tmp_path / "mail") as server:
        monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config", area=area)))
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DONDOC_HMAC_KEY", "flow-test")
        monkeypatch.delenv("DONDOC_APPROVAL_TIMEOUT", raising=False)
        sync_plans(now=dt.datetime(2021, 3, 1, tzinfo=dt.UTC))
        yield server


def flow_run(run_id):
    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            return await client.read_flow_run(run_id)

    return asyncio.run(read())


def test_an_approval_that_never_comes_ends_the_run_failed_with_a_message(prefect_harness, sink, monkeypatch):
    from dondoc.flows.compile_report import compile_report_flow

    monkeypatch.setenv("DONDOC_APPROVAL_TIMEOUT", "PT3S")
    state = compile_report_flow(**PERIOD, now=REPORT_AT, return_state=True)
    assert state.is_failed()
    assert state.message == (
        "Hết thời gian chờ duyệt (3 giây) / no approval within 3 second(s): báo cáo #1 vẫn là bản nháp, chưa gửi / "
        "report #1 stays a draft, not sent — duyệt và gửi bằng / approve and send with `dondoc report approve 1` và / "
        "and `dondoc report send 1`"
    )
    on_server = flow_run(state.state_details.flow_run_id).state
    assert (on_server.type.value, on_server.message) == ("FAILED", state.message)  # not left "Paused"
    assert sink.stats.delivered.get(UPSTREAM) is None
    # the draft stays; the coordinator approves and sends it from the CLI
    runner = CliRunner()
    approved = runner.invoke(app, ["report", "approve", "1", "--by", "Phó Giám đốc"])
    assert approved.exit_code == 0, approved.output
    sent = runner.invoke(app, ["report", "send", "1", "--now", "2021-05-24T09:00"])
    assert sent.exit_code == 0, sent.output
    assert sink.stats.delivered.get(UPSTREAM) == 1


def test_the_pause_lasts_the_configured_days_and_an_answer_within_them_goes_on(prefect_harness, sink):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateName
    from prefect.flow_runs import resume_flow_run

    from dondoc.flows.compile_report import compile_report_flow

    states = []
    runner = threading.Thread(
        target=lambda: states.append(compile_report_flow(**PERIOD, now=REPORT_AT, return_state=True))
    )
    started = dt.datetime.now(dt.UTC)
    runner.start()

    async def paused():
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Paused"])))
            )

    deadline = time.monotonic() + 120
    while not (found := asyncio.run(paused())):
        assert runner.is_alive() and time.monotonic() < deadline, states
        time.sleep(0.5)
    [run] = found
    expires = run.state.state_details.pause_timeout
    assert dt.timedelta(days=7) - dt.timedelta(minutes=5) < expires - started < dt.timedelta(days=7, minutes=5)
    resume_flow_run(run.id, run_input={"approve": True, "by": "Phó Giám đốc"})
    runner.join(timeout=120)
    [state] = states
    assert state.is_completed() and state.result()["status"] == "sent"
    assert sink.stats.delivered.get(UPSTREAM) == 1
