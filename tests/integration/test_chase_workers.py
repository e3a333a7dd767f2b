"""A killed chase leaves nothing behind, and a chase whose worker dies says so.

A real ``python -m dondoc chase`` with 600 reminders composes them in
``DONDOC_COMPOSE_WORKERS`` worker processes while it sends to an aiosmtpd
sink. Killed with SIGKILL mid-run, no process of it may be left after 5 s
(before, its workers stayed for ever, blocked on a pipe whose other end they
held themselves). A worker killed under a running chase makes the chase fail
with one line, not hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dondoc.mail.sink import MaildirSink
from tests.integration.test_crash import MORNING, big_config, cli_env, dondoc, finish

AGENCIES = 600  # > 500 reminders: composing goes to the worker processes (dondoc.chase.PIPELINE_MIN)


def children(pid: int) -> set[int]:
    """The direct children of ``pid`` (every thread's), from /proc."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found |= {int(child) for child in listing.read().split()}
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def alive(pid: int) -> bool:
    """``pid`` exists and is not a zombie waiting for its parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def in_group(pgid: int) -> set[int]:
    """Every living process of the process group ``pgid`` (the chase was started in its own session)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.add(int(entry))
    return found


def wait_for(condition, run: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert run.poll() is None, f"the chase ended before the point came: {run.communicate()[1].decode()[-2000:]}"
        assert time.monotonic() < deadline, "the point never came"
        time.sleep(0.01)


@pytest.fixture
def big(tmp_path: Path):
    """600 districts owing a report, synced; a sink; the environment of a chase with two compose workers."""
    big_config(tmp_path / "config", AGENCIES)
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(tmp_path, sink.port)
        env["DONDOC_COMPOSE_WORKERS"] = "2"
        finish(dondoc(env, "sync", "--now", "2021-03-01"))
        yield env, sink


@pytest.mark.slow
def test_sigkill_of_a_chase_leaves_no_process_of_it_behind(big):
    env, sink = big
    run = dondoc(env, "chase", "--now", MORNING, start_new_session=True)
    try:
        wait_for(lambda: len(children(run.pid)) >= 2 and sum(sink.stats.delivered.values()) >= 10, run)
        workers = children(run.pid)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=30)
        assert run.returncode == -signal.SIGKILL
        delivered = sum(sink.stats.delivered.values())
        assert 10 <= delivered < AGENCIES  # killed mid-run
        time.sleep(5)
        assert {pid for pid in workers if alive(pid)} == set()
        assert in_group(run.pid) == set()
    finally:
        for pid in in_group(run.pid):  # never leave them to the next test, whatever happened
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_a_worker_killed_under_a_chase_makes_it_fail_with_one_line(big):
    env, sink = big
    run = dondoc(env, "chase", "--now", MORNING, start_new_session=True)
    try:
        wait_for(lambda: children(run.pid), run)
        victim = min(children(run.pid))
        os.kill(victim, signal.SIGKILL)
        _, err = run.communicate(timeout=120)  # a hang fails here
        lines = err.decode().strip().splitlines()
        assert run.returncode == 1, err.decode()[-3000:]
        assert len(lines) == 1 and lines[0].startswith(
            "Lỗi / error: một tiến trình soạn thư đã dừng đột ngột / a mail-composing worker process died"
        ), lines
        time.sleep(1)
        assert in_group(run.pid) == set()
    finally:
        for pid in in_group(run.pid):
            os.kill(pid, signal.SIGKILL)
    # nothing lost: the next run sends the rest, each reminder once
    env["DONDOC_COMPOSE_WORKERS"] = "2"
    finish(dondoc(env, "chase", "--now", MORNING))
    assert len(sink.stats.delivered) == AGENCIES and set(sink.stats.delivered.values()) == {1}
