"""Approving a report in the console answers the compile-report run paused for it: the run completes and the
report reaches the upstream SMTP server once."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tests.flows.test_compile_report_flow import PERIOD, REPORT_AT, UPSTREAM, sink  # noqa: F401 — the fixture
from tests.web.conftest import PASSWORD, signed_in, token

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_approving_completes_the_paused_run_and_sends_up_once(prefect_harness, sink, monkeypatch):  # noqa: F811
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateName
    from prefect.settings import PREFECT_API_URL

    from dondoc.flows.compile_report import compile_report_flow
    from dondoc.operations import accounts
    from dondoc.web import create_app
    from dondoc.wiring import build

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # as on a server: the console finds the run
    states = []
    runner = threading.Thread(
        target=lambda: states.append(compile_report_flow(**PERIOD, now=REPORT_AT, return_state=True))
    )
    runner.start()

    async def paused():
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Paused"])))
            )

    deadline = time.monotonic() + 120
    while not asyncio.run(paused()):
        assert runner.is_alive() and time.monotonic() < deadline, states
        time.sleep(0.5)
    app = build()
    try:
        accounts.create(app, "dieuphoi", password=PASSWORD, role="coordinator")
        client = signed_in(create_app(app, secret=b"k" * 32), "dieuphoi")
        page = client.get("/reports")
        done = client.post(
            "/reports/1/approve", data={"csrf": token(page.text), "by": "Phó Giám đốc", "confirmed": "yes"}
        )
        assert done.status_code == 200 and "đã trả lời lượt chạy compile-report" in done.text, done.text
        runner.join(timeout=120)
        [state] = states
        assert state.is_completed() and state.result()["status"] == "sent"
        assert sink.stats.delivered.get(UPSTREAM) == 1
        assert "Đã gửi" in client.get("/reports").text
    finally:
        app.dispose()
