"""Exactly once: a chase killed with SIGKILL mid-batch, then rerun; two runs at once on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.tables import OutboxRow, OutboxStatus
from dondoc.mail.sink import MaildirSink

ROOT = Path(__file__).resolve().parents[2]
MORNING = "2021-05-05T09:00"
AGENCIES = 120


def big_config(root: Path, agencies: int = AGENCIES) -> Path:
    """A plan with many districts (``agencies`` of them), so a chase batch takes a while."""
    (root / "plans").mkdir(parents=True)
    (root / "agencies").mkdir()
    units = "\n".join(
        f"  - id: big.huyen-{i:03d}\n    name: Ủy ban nhân dân huyện Thử {i:03d}\n    level: district\n"
        f"    contacts: [{{address: vanthu@huyen-{i:03d}.big.example.org}}]"
        for i in range(agencies))
    (root / "agencies" / "big.yaml").write_text(f"""area: big
name: Tỉnh Thử
agencies:
  - id: big.ubnd
    name: Ủy ban nhân dân tỉnh Thử
    level: province
  - id: big.so
    name: Sở Lao động - Thương binh và Xã hội tỉnh Thử
    level: province
    contacts: [{{address: vanthu@so.big.example.org}}]
{units}
groups:
  - id: big.huyen
    name: UBND các huyện
    members: [{", ".join(f"big.huyen-{i:03d}" for i in range(agencies))}]
""", encoding="utf-8")
    (root / "plans" / "big.yaml").write_text("""id: big-2021
title: Kế hoạch thử năm 2021
issuer: big.ubnd
area: big
coordinator: big.so
source: {file: thu.txt}
valid: {start: 2021-01-01, end: 2021-12-31}
obligations:
  - id: dinh-ky
    title: Báo cáo định kỳ
    kind: period-report
    reporters: [big.huyen]
    recipient: big.so
    schedule: {every: half-year, due: {H1: 20/5, Y: 15/11}}
    rule: before
    quote: "định kỳ 06 tháng (trước ngày 20/5)"
    source: {file: thu.txt}
""", encoding="utf-8")
    return root


def cli_env(tmp_path: Path, port: int, database_url: str | None = None) -> dict:
    env = dict(os.environ, DONDOC_DATA_DIR=str(tmp_path / "data"), DONDOC_CONFIG_DIR=str(tmp_path / "config"),
               DONDOC_SMTP_PORT=str(port), DONDOC_HMAC_KEY="crash-test", DONDOC_SMTP_CONNECTIONS="2",
               PYTHONPATH=str(ROOT))
    if database_url:
        env["DONDOC_DATABASE_URL"] = database_url
    return env


def dondoc(env: dict, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dondoc", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def rows(url: str) -> list[OutboxRow]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(OutboxRow)))
    engine.dispose()
    return found


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_batch_then_rerun_delivers_each_reminder_once(tmp_path):
    big_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        sink.delay = 0.01
        env = cli_env(tmp_path, sink.port)
        assert dondoc(env, "sync", "--now", "2021-03-01").wait(60) == 0
        run = dondoc(env, "chase", "--now", MORNING)
        deadline = time.monotonic() + 60
        while sink.stats.received < AGENCIES // 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        url = f"sqlite:///{tmp_path / 'data' / 'dondoc.sqlite3'}"
        states = [r.status for r in rows(url)]
        assert states.count(OutboxStatus.SENT) < AGENCIES, "the kill came too late to test anything"
        in_flight = states.count(OutboxStatus.SENDING)
        sink.delay = 0
        rerun = dondoc(env, "chase", "--now", MORNING)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        assert {r.status for r in rows(url)} == {OutboxStatus.SENT}
        # every agency's mailbox holds its reminder exactly once
        assert len(sink.stats.delivered) == AGENCIES
        assert set(sink.stats.delivered.values()) == {1}
        # a message resent after the kill carries the same Message-ID and is dropped by the receiving side
        assert sink.stats.duplicates <= in_flight
        assert sink.stats.received == AGENCIES + sink.stats.duplicates


@pytest.mark.slow
@pytest.mark.postgres
def test_two_chase_runs_at_once_on_postgres_send_each_reminder_once(tmp_path, pg_url):
    big_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        sink.delay = 0.002
        env = cli_env(tmp_path, sink.port, pg_url)
        assert dondoc(env, "sync", "--now", "2021-03-01").wait(60) == 0
        runs = [dondoc(env, "chase", "--now", MORNING) for _ in range(2)]
        results = [run.communicate(timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], [e.decode() for _, e in results]
        assert sink.stats.received == AGENCIES  # not a single resend
        assert set(sink.stats.delivered.values()) == {1} and len(sink.stats.delivered) == AGENCIES
        assert {r.status for r in rows(pg_url)} == {OutboxStatus.SENT}
        claimers = {r.claimed_by for r in rows(pg_url)}
        assert claimers == {None}
