"""`dondoc serve` as a user runs it: a real subprocess, a fresh data dir, nothing triggered by hand.

The schedules of sync-plans and ingest-replies are shortened with the documented setting
(``DONDOC_SCHEDULE_<FLOW>=every 15s``); chase and the digest keep their real cron. The test then only watches,
through the Prefect API, what the server's scheduler creates and what the served deployments run by themselves.
"""

from __future__ import annotations

import datetime as dt
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.prefect_api import (
    alive,
    by_the_scheduler,
    command_line,
    descendants,
    environment_without,
    flow_runs,
    wait_for,
)
from tests.support.config import write_config

DONDOC = Path(sys.executable).parent / "dondoc"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULED = {"sync-plans/daily", "chase/working-days", "ingest-replies/every-5-minutes", "status-digest/weekly"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = environment_without(("PREFECT_", "DONDOC_"))
    env.update(
        DONDOC_DATA_DIR=str(tmp_path / "data"),
        DONDOC_CONFIG_DIR=str(write_config(tmp_path / "config")),
        DONDOC_HMAC_KEY="serve-test-0123456789",
        PREFECT_LOGGING_LEVEL="WARNING",
        PYTHONFAULTHANDLER="1",
        **extra,
    )
    return env


def _serve(env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(DONDOC), "serve", *args], env=env, capture_output=True, text=True, timeout=timeout)


def _exit_code(process: subprocess.Popen, log: Callable[[], str], seconds: float = 120) -> int:
    """The exit code once ``process`` ends; if it does not, SIGABRT makes it print every thread's stack (the
    environment sets PYTHONFAULTHANDLER) and the test fails with that."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        process.wait(timeout=30)
        pytest.fail(f"dondoc serve did not stop within {seconds:.0f} s of SIGTERM:\n{log()[-12000:]}")


@pytest.fixture(autouse=True)
def _installed():
    if not DONDOC.exists():
        pytest.skip("dondoc is not installed in this Python's environment (scripts/test installs it)")


@pytest.mark.slow
def test_serve_runs_the_schedules_by_itself_and_leaves_nothing_behind(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _environment(
        tmp_path,
        DONDOC_SCHEDULE_SYNC_PLANS="every 15s",
        DONDOC_SCHEDULE_INGEST_REPLIES="every 15s",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
    )
    with open(tmp_path / "serve.out", "w") as out, open(tmp_path / "serve.err", "w") as err:
        serve = subprocess.Popen(
            [str(DONDOC), "serve", "--port", str(port)], env=env, stdout=out, stderr=err, cwd=tmp_path
        )
    try:

        def log() -> str:
            return (tmp_path / "serve.out").read_text() + (tmp_path / "serve.err").read_text()[-12000:]

        wait_for(
            lambda: "Prefect UI: http://127.0.0.1:" in (tmp_path / "serve.out").read_text() or serve.poll(), 240, log
        )
        assert serve.poll() is None, log()
        assert f"Prefect UI: http://127.0.0.1:{port}\n" in (tmp_path / "serve.out").read_text()

        def scheduled_and_one_completed():
            runs = flow_runs(api)
            scheduled = {r["deployment"] for r in runs if by_the_scheduler(r)}
            completed = [
                r
                for r in runs
                if by_the_scheduler(r) and r["state_type"] == "COMPLETED" and r["deployment"] == "sync-plans/daily"
            ]
            return runs if scheduled >= SCHEDULED and completed else None

        runs = wait_for(
            scheduled_and_one_completed,
            300,
            lambda: f"{[(r['deployment'], r['state_name']) for r in flow_runs(api)]}\n{log()}",
        )
        # nobody triggered anything: every run comes from a schedule, none from the on-demand deployment
        assert all(by_the_scheduler(r) for r in runs), [(r["deployment"], r["created_by"]) for r in runs]
        assert "compile-report/on-demand" not in {r["deployment"] for r in runs}
        # the real cron schedules, in Hà Nội time: chase at 08:00 on a working day, the digest Mondays 07:30
        for deployment, (hour, minute), weekdays in (
            ("chase/working-days", (8, 0), range(5)),
            ("status-digest/weekly", (7, 30), [0]),
        ):
            moments = [
                dt.datetime.fromisoformat(r["expected_start_time"]).astimezone(HCM)
                for r in runs
                if r["deployment"] == deployment
            ]
            assert moments and all((m.hour, m.minute) == (hour, minute) and m.weekday() in weekdays for m in moments), (
                moments
            )
        # the scheduled sync did its work in dondoc's own database
        with sqlite3.connect(tmp_path / "data" / "dondoc.sqlite3") as db:
            assert db.execute("select count(*) from deadline").fetchone()[0] > 0

        # a second dondoc serve on the same data dir is refused in one line (and starts nothing)
        second = _serve(env, "--port", str(_free_port()))
        assert second.returncode == 1, second.stdout + second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and "data dir" in second.stderr, second.stderr
        assert f"pid {serve.pid}" in second.stderr

        children = descendants(serve.pid)
        assert any("prefect server start" in command_line(pid) for pid in children)
        # the runner (and the flow runs it starts) skip the CSRF token a server started here does not ask for
        runner = next(pid for pid in children if "dondoc.deployments.serve" in command_line(pid))
        assert b"PREFECT_CLIENT_CSRF_SUPPORT_ENABLED=false" in Path(f"/proc/{runner}/environ").read_bytes().split(b"\0")
        serve.send_signal(signal.SIGTERM)
        assert _exit_code(serve, log) == 0, log()
        # the server, its services and the flow runs in flight: none of them outlives dondoc serve
        wait_for(
            lambda: not any(alive(pid) for pid in children),
            10,
            lambda: "survivors: " + str({pid: command_line(pid) for pid in children if alive(pid)}),
        )
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


class _Served:
    """One `dondoc serve` subprocess whose output goes to files in ``folder``."""

    def __init__(self, env: dict, port: int, folder: Path, tag: str):
        self.out, self.err = folder / f"{tag}.out", folder / f"{tag}.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen(
                [str(DONDOC), "serve", "--port", str(port)], env=env, stdout=out, stderr=err, cwd=folder
            )
        wait_for(lambda: "Prefect UI:" in self.out.read_text() or self.process.poll() is not None, 240, self.log)
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.out.read_text() + self.err.read_text()[-12000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert _exit_code(self.process, self.log) == 0, self.log()


def _at(run: dict) -> float:
    return dt.datetime.fromisoformat(run["expected_start_time"]).timestamp()


@pytest.mark.slow
def test_slots_missed_while_serve_was_stopped_run_once_not_once_each(tmp_path):
    """The machine is off for three slots of a 20-second schedule: back on, one catch-up run, not three."""
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _environment(
        tmp_path,
        DONDOC_SCHEDULE_SYNC_PLANS="every 20s",
        DONDOC_SCHEDULE_CHASE="off",
        DONDOC_SCHEDULE_INGEST_REPLIES="off",
        DONDOC_SCHEDULE_STATUS_DIGEST="off",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
    )

    def sync_runs() -> list[dict]:
        return [r for r in flow_runs(api) if r["deployment"] == "sync-plans/daily"]

    first = _Served(env, port, tmp_path, "first")
    try:
        wait_for(lambda: any(r["state_type"] == "COMPLETED" for r in sync_runs()), 240, first.log)
        # stop while the next slot is still ahead of the runner's 10-second look-ahead: it stays Scheduled
        wait_for(
            lambda: [r for r in sync_runs() if r["state_type"] == "SCHEDULED" and _at(r) > time.time() + 12],
            60,
            first.log,
        )
    finally:
        first.stop()
    stopped = time.time()
    time.sleep(65)  # three slots of 20 s pass while nothing runs
    restarted = time.time()
    second = _Served(env, port, tmp_path, "second")
    try:

        def missed() -> list[dict]:
            return [r for r in sync_runs() if stopped < _at(r) < restarted]

        wait_for(
            lambda: [r for r in missed() if r["state_type"] == "COMPLETED"],
            180,
            lambda: f"{[(r['state_name'], r['expected_start_time']) for r in sync_runs()]}\n{second.log()}",
        )
        [caught_up] = missed()  # one run for the three missed slots
        assert dt.datetime.fromisoformat(caught_up["start_time"]).timestamp() >= restarted
        assert all(by_the_scheduler(r) for r in sync_runs())
    finally:
        second.stop()


@pytest.mark.slow
def test_a_killed_serve_takes_its_prefect_server_with_it(tmp_path):
    """kill -9 leaves dondoc serve no time to clean up: the kernel's parent-death signal stops the server and the
    runner."""
    served = _Served(_environment(tmp_path, DONDOC_SCHEDULE_INGEST_REPLIES="off"), _free_port(), tmp_path, "serve")
    children = {pid: command_line(pid) for pid in descendants(served.process.pid)}
    started = [
        line for line in children.values() if "prefect server start" in line or "dondoc.deployments.serve" in line
    ]
    assert len(started) == 2, children
    served.process.kill()
    served.process.wait()
    wait_for(
        lambda: not any(alive(pid) for pid in children),
        30,
        lambda: "survivors: " + str({pid: line for pid, line in children.items() if alive(pid)}),
    )


def test_a_taken_port_is_refused_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(_environment(tmp_path), "--port", str(port))
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert f"port {port}" in line and "--port" in line
    assert not (tmp_path / "data" / "prefect" / "server.log").exists()  # no server was started


def test_a_bad_schedule_setting_is_refused_in_one_line(tmp_path):
    done = _serve(_environment(tmp_path, DONDOC_SCHEDULE_CHASE="sometimes"), "--port", str(_free_port()))
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "DONDOC_SCHEDULE_CHASE='sometimes'" in line


@pytest.mark.slow
def test_a_prefect_server_that_does_not_answer_is_one_line_after_the_wait(tmp_path):
    api = f"http://127.0.0.1:{_free_port()}/api"  # nothing listens there
    done = _serve(_environment(tmp_path, PREFECT_API_URL=api), "--wait", "3")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert api in line and "does not answer" in line and "3 s" in line
