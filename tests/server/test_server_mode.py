"""Server mode for real: deployments/server/run.sh starts a Prefect server, deploys deployments/prefect.yaml to a
process work pool and starts two workers; the application is on PostgreSQL; mail goes to a real SMTP server.

First, nobody triggers anything: the weekly digest's schedule is shortened with the documented setting
(``DONDOC_SCHEDULE_STATUS_DIGEST=every 20s``), the server's scheduler creates its runs, the workers run them, and the
coordinator receives this week's digest once however many runs there were. The chase schedule is off here
(``DONDOC_SCHEDULE_CHASE=off``) so that a real 08:00 slot cannot add reminders to the counts below.

Then a coordinator's client (another process) triggers flows by API with parameters, as from a script or the UI:
two chase runs at once (two workers) deliver each reminder once; compile-report pauses for approval, is resumed
with the typed input, and the approved report reaches the upstream recipient once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dondoc.mail.sink import MaildirSink
from tests.prefect_api import by_the_scheduler, flow_runs, wait_for
from tests.support.config import AREA, write_config

pytestmark = [pytest.mark.slow, pytest.mark.server]
ROOT = Path(__file__).resolve().parents[2]
CHASE_AT = "2021-05-05T02:00:00+00:00"  # 09:00 in Hà Nội, 10 working days before 19/5/2021
REPORT_AT = "2021-05-21T01:00:00+00:00"
UPSTREAM = "vanthu@ubnd.demo.example.org"
COORDINATOR = "vanthu@sldtbxh.demo.example.org"  # the digest's recipient


def _to_agencies(sink: MaildirSink) -> dict[str, int]:
    """Deliveries, but the coordinator's weekly digest (the scheduled test's mail)."""
    return {address: n for address, n in sink.stats.delivered.items() if address != COORDINATOR}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, postgres):
    if not (Path(sys.executable).parent / "dondoc").exists():
        pytest.skip("dondoc is not installed in this Python's environment (scripts/test installs it)")
    root = tmp_path_factory.mktemp("server")
    area = AREA.replace(
        "    name: Ủy ban nhân dân tỉnh Mẫu\n    level: province\n",
        f"    name: Ủy ban nhân dân tỉnh Mẫu\n    level: province\n    contacts: [{{address: {UPSTREAM}}}]\n",
    )
    with MaildirSink(root / "mail") as sink:
        port = _free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "DONDOC_"))}
        env.update(
            DONDOC_DATABASE_URL=postgres.create_database(),
            DONDOC_DATA_DIR=str(root / "data"),
            DONDOC_CONFIG_DIR=str(write_config(root / "config", area=area)),
            DONDOC_HMAC_KEY="server-mode-0123456789",
            DONDOC_SMTP_PORT=str(sink.port),
            DONDOC_WORKERS="2",
            DONDOC_PYTHON=sys.executable,
            PREFECT_HOME=str(root / "prefect"),
            PREFECT_SERVER_PORT=str(port),
            PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
            PREFECT_LOGGING_LEVEL="WARNING",
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DONDOC_SCHEDULE_STATUS_DIGEST="every 20s",
            DONDOC_SCHEDULE_CHASE="off",
            PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
        )
        script = ROOT / "deployments" / "server" / "run.sh"
        started = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True, timeout=300)
        try:
            assert started.returncode == 0, started.stdout + started.stderr
            yield env, sink
        finally:
            subprocess.run([str(script), "stop"], env=env, capture_output=True, text=True, timeout=120)


def client(env: dict, *args: str):
    done = subprocess.run(
        [sys.executable, "-m", "tests.server.prefect_client", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_scheduler_runs_the_digest_on_the_workers_and_it_arrives_once(server):
    """Nothing is triggered: runs come from the schedule, workers complete them, the digest arrives once a week."""
    env, sink = server
    api = env["PREFECT_API_URL"]
    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    started = dt.datetime.now(hcm)

    def digests_completed():
        done = [
            r
            for r in flow_runs(api)
            if r["deployment"] == "status-digest/weekly" and by_the_scheduler(r) and r["state_type"] == "COMPLETED"
        ]
        return done if len(done) >= 2 else None

    done = wait_for(digests_completed, 300, lambda: str([(r["deployment"], r["state_name"]) for r in flow_runs(api)]))
    assert all(r["work_pool_name"] == "dondoc" and r["infrastructure_pid"] for r in done), done  # by a worker
    assert all(by_the_scheduler(r) for r in flow_runs(api))  # nothing was triggered by hand so far
    weeks = {started.isocalendar()[:2], dt.datetime.now(hcm).isocalendar()[:2]}  # two if Monday 00:00 fell in between
    assert sink.stats.delivered[COORDINATOR] == len(weeks)  # once a week, however many runs
    assert sink.stats.duplicates == 0
    [digest] = sink.messages(COORDINATOR)[-1:]
    assert b"Auto-Submitted: auto-generated" in digest


def test_two_workers_chasing_at_once_deliver_each_reminder_once(server):
    env, sink = server
    runs = [client(env, "run", "chase/working-days", json.dumps({"now": CHASE_AT})) for _ in range(2)]
    states = [client(env, "wait", run, "Completed") for run in runs]
    assert [s["type"] for s in states] == ["COMPLETED", "COMPLETED"], states
    assert _to_agencies(sink) == {"vanthu@syt.demo.example.org": 1, "vanthu@huyen-a.demo.example.org": 1}
    assert {"key": "chase", "type": "table"} in client(env, "artifacts", runs[0])


def _paused_report_run(env: dict[str, str]) -> str:
    """A compile-report run of demo-2021's consolidated 2021-H1 report, started on demand and now paused for
    its approval; its id."""
    run = client(
        env,
        "run",
        "compile-report/on-demand",
        json.dumps({"plan": "demo-2021", "obligation": "tong-hop", "period": "2021-H1", "now": REPORT_AT}),
    )
    assert client(env, "wait", run, "Paused")["state"] == "Paused"
    return run


def test_compile_report_pauses_and_the_approved_report_goes_up_once(server):
    env, sink = server
    run = _paused_report_run(env)
    assert {"key": "consolidated-report", "type": "markdown"} in client(env, "artifacts", run)
    assert sink.stats.delivered.get(UPSTREAM) is None  # nothing goes up before the approval
    client(env, "resume", run, json.dumps({"approve": True, "by": "Phó Giám đốc"}))
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert sink.stats.delivered.get(UPSTREAM) == 1
    [report] = [m for m in sink.messages(UPSTREAM)]
    assert b".docx" in report and b".xlsx" in report


def test_a_rejected_report_records_the_comment_and_sends_nothing(server):
    env, sink = server
    before = _to_agencies(sink)
    run = _paused_report_run(env)
    client(env, "resume", run, json.dumps({"approve": False, "by": "Phó Giám đốc", "comment": "Bổ sung số liệu"}))
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert _to_agencies(sink) == before
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "dondoc"), "reports", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    rejected = [r for r in json.loads(listed.stdout) if r["status"] == "rejected"]
    assert [r["note"] for r in rejected] == ["Bổ sung số liệu"], listed.stdout + listed.stderr


def test_dondoc_report_approve_answers_the_paused_run(server):
    """The coordinator approves from the CLI instead of the UI: the paused run goes on and sends the report once."""
    env, sink = server
    before = sink.stats.delivered.get(UPSTREAM, 0)
    run = _paused_report_run(env)
    dondoc = str(Path(sys.executable).parent / "dondoc")
    listed = subprocess.run(
        [dondoc, "reports", "--format", "json"], env=env, capture_output=True, text=True, timeout=60
    )
    [draft] = [r for r in json.loads(listed.stdout) if r["status"] == "draft"]
    approved = subprocess.run(
        [dondoc, "report", "approve", str(draft["id"]), "--by", "Phó Giám đốc"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert approved.returncode == 0 and f"compile-report {run}" in approved.stdout, approved.stdout + approved.stderr
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert sink.stats.delivered.get(UPSTREAM, 0) == before + 1
