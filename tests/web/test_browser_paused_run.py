"""Approving in a real headless Chromium answers the compile-report run paused for the report: a real Prefect run
(the test server) waits for the approval, ``dondoc web`` runs as a process, the coordinator approves with a signer
in the browser, and the run completes, the report reaching its recipients once.

Skips when Chromium is missing — unless ``DONDOC_REQUIRE_CHROMIUM=1`` (set by ``scripts/test``), where it fails.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest

from dondoc.mail.sink import MaildirSink
from tests.web.browser import HMAC_KEY, PERIOD, PLAN, browser, coordinator_season, require_chromium, served, sign_in

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
UPSTREAM, ALSO_TO = "cuc-treem@molisa.example.org", "vanthu@ubnd.binhphuoc.example.org"
REPORT_AT = dt.datetime(2021, 5, 27, 3, 0, tzinfo=dt.UTC)


def _paused():
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateName

    async def read():
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Paused"])))
            )

    return asyncio.run(read())


def test_approving_in_the_browser_completes_the_paused_run_and_sends_up_once(prefect_harness, tmp_path, monkeypatch):
    require_chromium()
    from prefect.settings import PREFECT_API_URL

    from dondoc.flows.compile_report import compile_report_flow

    with MaildirSink(tmp_path / "mail") as sink:
        data = tmp_path / "data"
        env = coordinator_season(data, sink.port, {"PREFECT_API_URL": PREFECT_API_URL.value()})
        for name, value in dict(
            DONDOC_DATA_DIR=str(data), DONDOC_SMTP_PORT=str(sink.port), DONDOC_HMAC_KEY=HMAC_KEY
        ).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DONDOC_COMPOSE_WORKERS", "0")
        monkeypatch.delenv("DONDOC_APPROVAL_TIMEOUT", raising=False)
        states = []
        runner = threading.Thread(
            target=lambda: states.append(
                compile_report_flow(plan=PLAN, obligation="tong-hop", period=PERIOD, now=REPORT_AT, return_state=True)
            ),
            daemon=True,  # a run left paused by a failure must not keep pytest from ending
        )
        runner.start()
        try:
            deadline = time.monotonic() + 120
            while not _paused():
                assert runner.is_alive() and time.monotonic() < deadline, states
                time.sleep(0.5)
            with served(data, env) as url, browser() as chrome:
                page = chrome.new_page(viewport={"width": 1280, "height": 900})
                sign_in(page, url)
                page.click("nav >> text=Báo cáo tổng hợp")
                drafts = page.locator("tbody tr", has_text="Dự thảo")
                row = drafts.first  # the newest first: the run's own revision
                assert "bp-2021 / tong-hop" in row.inner_text(), row.inner_text()
                row.locator("select[name=by]").select_option(index=0)
                row.get_by_role("button", name="Duyệt…", exact=True).click()
                page.click("button.primary")
                done = page.locator(".done").inner_text()
                assert "đã được duyệt" in done and "đã trả lời lượt chạy compile-report" in done, done
                runner.join(timeout=120)
                assert states and states[0].is_completed(), states
                assert sink.stats.delivered.get(UPSTREAM) == 1 and sink.stats.delivered.get(ALSO_TO) == 1
                page.click("text=Tiếp tục")
                assert "Đã gửi" in page.locator("tbody tr").first.inner_text()
                page.close()
        finally:
            runner.join(timeout=150)
        [state] = states  # read outside Playwright's event loop, where Prefect's result() is not a coroutine
        result = state.result()
    assert isinstance(result, dict) and result["status"] == "sent", result
