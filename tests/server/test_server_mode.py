"""Server mode for real: deployments/server/run.sh starts a Prefect server, deploys deployments/prefect.yaml to a
process work pool and starts two workers; the application is on PostgreSQL; mail goes to a real SMTP server.

A coordinator's client (another process) triggers flows by API with parameters, as from a script or the UI:
two chase runs at once (two workers) deliver each reminder once; compile-report pauses for approval, is resumed
with the typed input, and the approved report reaches the upstream recipient once.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dondoc.mail.sink import MaildirSink
from tests.integration.test_config import AREA, write_config

pytestmark = [pytest.mark.slow, pytest.mark.server]
ROOT = Path(__file__).resolve().parents[2]
CHASE_AT = "2021-05-05T02:00:00+00:00"  # 09:00 in Hà Nội, 10 working days before 19/5/2021
REPORT_AT = "2021-05-21T01:00:00+00:00"
UPSTREAM = "vanthu@ubnd.demo.example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, postgres):
    if not (Path(sys.executable).parent / "dondoc").exists():
        pytest.skip("dondoc is not installed in this Python's environment (scripts/test installs it)")
    root = tmp_path_factory.mktemp("server")
    area = AREA.replace("    name: Ủy ban nhân dân tỉnh Mẫu\n    level: province\n",
                        f"    name: Ủy ban nhân dân tỉnh Mẫu\n    level: province\n    contacts: [{{address: {UPSTREAM}}}]\n")
    with MaildirSink(root / "mail") as sink:
        port = _free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "DONDOC_"))}
        env.update(DONDOC_DATABASE_URL=postgres.create_database(), DONDOC_DATA_DIR=str(root / "data"),
                   DONDOC_CONFIG_DIR=str(write_config(root / "config", area=area)), DONDOC_HMAC_KEY="server-mode-0123456789",
                   DONDOC_SMTP_PORT=str(sink.port), DONDOC_WORKERS="2", DONDOC_PYTHON=sys.executable,
                   PREFECT_HOME=str(root / "prefect"), PREFECT_SERVER_PORT=str(port),
                   PREFECT_API_URL=f"http://127.0.0.1:{port}/api", PREFECT_LOGGING_LEVEL="WARNING",
                   DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
        script = ROOT / "deployments" / "server" / "run.sh"
        started = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True, timeout=300)
        try:
            assert started.returncode == 0, started.stdout + started.stderr
            yield env, sink
        finally:
            subprocess.run([str(script), "stop"], env=env, capture_output=True, text=True, timeout=120)


def client(env: dict, *args: str):
    done = subprocess.run([sys.executable, "-m", "tests.server.prefect_client", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_workers_chasing_at_once_deliver_each_reminder_once(server):
    env, sink = server
    runs = [client(env, "run", "chase/working-days", json.dumps({"now": CHASE_AT})) for _ in range(2)]
    states = [client(env, "wait", run, "Completed") for run in runs]
    assert [s["type"] for s in states] == ["COMPLETED", "COMPLETED"], states
    assert sink.stats.delivered == {"vanthu@syt.demo.example.org": 1, "vanthu@huyen-a.demo.example.org": 1}
    assert {"key": "chase", "type": "table"} in client(env, "artifacts", runs[0])


def test_compile_report_pauses_and_the_approved_report_goes_up_once(server):
    env, sink = server
    run = client(env, "run", "compile-report/on-demand",
                 json.dumps({"plan": "demo-2021", "obligation": "tong-hop", "period": "2021-H1", "now": REPORT_AT}))
    assert client(env, "wait", run, "Paused")["state"] == "Paused"
    assert {"key": "consolidated-report", "type": "markdown"} in client(env, "artifacts", run)
    assert sink.stats.delivered.get(UPSTREAM) is None  # nothing goes up before the approval
    client(env, "resume", run, json.dumps({"approve": True, "by": "Phó Giám đốc"}))
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert sink.stats.delivered.get(UPSTREAM) == 1
    [report] = [m for m in sink.messages(UPSTREAM)]
    assert b".docx" in report and b".xlsx" in report


def test_a_rejected_report_records_the_comment_and_sends_nothing(server):
    env, sink = server
    before = dict(sink.stats.delivered)
    run = client(env, "run", "compile-report/on-demand",
                 json.dumps({"plan": "demo-2021", "obligation": "tong-hop", "period": "2021-H1", "now": REPORT_AT}))
    assert client(env, "wait", run, "Paused")["state"] == "Paused"
    client(env, "resume", run, json.dumps({"approve": False, "by": "Phó Giám đốc", "comment": "Bổ sung số liệu"}))
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert dict(sink.stats.delivered) == before
    listed = subprocess.run([str(Path(sys.executable).parent / "dondoc"), "reports", "--format", "json"], env=env,
                            capture_output=True, text=True, timeout=60)
    rejected = [r for r in json.loads(listed.stdout) if r["status"] == "rejected"]
    assert [r["note"] for r in rejected] == ["Bổ sung số liệu"], listed.stdout + listed.stderr


def test_dondoc_report_approve_answers_the_paused_run(server):
    """The coordinator approves from the CLI instead of the UI: the paused run goes on and sends the report once."""
    env, sink = server
    before = sink.stats.delivered.get(UPSTREAM, 0)
    run = client(env, "run", "compile-report/on-demand",
                 json.dumps({"plan": "demo-2021", "obligation": "tong-hop", "period": "2021-H1", "now": REPORT_AT}))
    assert client(env, "wait", run, "Paused")["state"] == "Paused"
    dondoc = str(Path(sys.executable).parent / "dondoc")
    listed = subprocess.run([dondoc, "reports", "--format", "json"], env=env, capture_output=True, text=True,
                            timeout=60)
    [draft] = [r for r in json.loads(listed.stdout) if r["status"] == "draft"]
    approved = subprocess.run([dondoc, "report", "approve", str(draft["id"]), "--by", "Phó Giám đốc"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert approved.returncode == 0 and f"compile-report {run}" in approved.stdout, approved.stdout + approved.stderr
    assert client(env, "wait", run, "Completed")["type"] == "COMPLETED"
    assert sink.stats.delivered.get(UPSTREAM, 0) == before + 1
