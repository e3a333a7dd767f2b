"""Chasing: N reminders through the real path vs a bare aiosmtplib loop with the same messages.

Real path: policy → render (Jinja2, message) → outbox (SQLite) → claim →
aiosmtplib pool → a local SMTP server in another process. Baseline: the same
rendered bytes, read back from the outbox, sent by a bare aiosmtplib loop over
the same number of connections to the same server.
"""

from __future__ import annotations

import asyncio
import os
import datetime as dt
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosmtplib
from sqlmodel import Session, select

from benchmarks.data import province_config
from dondoc.db.engine import make_engine
from dondoc.db.migrate import upgrade
from dondoc.db.tables import OutboxRow
from dondoc.workdays import WorkCalendar
from dondoc.chase import ChaseReport, MailSetup, run_chase
from dondoc.config import load_catalog
from dondoc.mail.render import jinja_environment
from dondoc.mail.transport import SmtpTransport
from dondoc.policy import PolicyFile
from dondoc.resources import shipped
from dondoc.sync import sync_catalog

__all__ = ["bench_chase"]

MORNING = dt.datetime(2021, 5, 5, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội, 10 working days before 19/5
CONNECTIONS = 4
REFERENCE_MAX = 1000  # sizes up to which the 4-connection reference loop is timed too


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NullServer:
    """``benchmarks.null_smtp`` in a child process."""

    def __enter__(self):
        self.port = _free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "benchmarks.null_smtp", str(self.port)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)


async def _bare(port: int, envelopes: list[tuple[str, list[str], bytes]], connections: int) -> None:
    async def worker(chunk):
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="bench.local")
        await client.connect()
        for sender, recipients, raw in chunk:
            await client.sendmail(sender, recipients, raw)
        await client.quit()

    await asyncio.gather(*(worker(envelopes[i::connections]) for i in range(connections)))


def _real(root: Path, count: int, port: int, attach: bool) -> tuple[float, ChaseReport, str]:
    config = province_config(root / "config", count)
    catalog = load_catalog(config)
    url = f"sqlite:///{root / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=dt.datetime(2021, 3, 1, tzinfo=dt.UTC), horizon_days=400)
    setup = MailSetup(env=jinja_environment(shipped("templates")), sender="dondoc@so.bench.example.org",
                      sender_name="Hệ thống đôn đốc báo cáo", domain="so.bench.example.org", reply_local="baocao",
                      hmac_key=b"bench", attach_files=attach)
    transport = SmtpTransport(host="127.0.0.1", port=port, connections=CONNECTIONS, local_hostname="bench.local")
    with Session(engine) as session:
        started = time.perf_counter()
        report = run_chase(session=session, catalog=catalog, policy=PolicyFile(), calendar=WorkCalendar(),
                           setup=setup, transport=transport, now=MORNING, limit=count + 10, worker="bench",
                           workers=max(1, (os.cpu_count() or 2) - 1))
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, report, url


def bench_chase(count: int, attach: bool = False) -> dict:
    """Time ``count`` reminders both ways; the ratio is real rate / bare rate (target ≥ 0.70)."""
    with tempfile.TemporaryDirectory() as folder, NullServer() as server:
        real, report, url = _real(Path(folder), count, server.port, attach)
        assert report.sent == count, report.as_dict()
        engine = make_engine(url)
        with Session(engine) as session:
            envelopes = [(r.sender, list(r.recipients), r.raw) for r in session.exec(select(OutboxRow))]
        engine.dispose()
        started = time.perf_counter()
        asyncio.run(_bare(server.port, envelopes, 1))
        bare = time.perf_counter() - started
        pooled = None
        if count <= REFERENCE_MAX:  # the pooled loop, for reference: small runs only (it adds no target)
            started = time.perf_counter()
            asyncio.run(_bare(server.port, envelopes, CONNECTIONS))
            pooled = time.perf_counter() - started
    size = sum(len(raw) for *_, raw in envelopes) / len(envelopes)
    reference = {} if pooled is None else {"pooled_baseline_per_second": round(count / pooled, 1),
                                           "ratio_to_pooled": round(pooled / real, 3)}
    return {"name": f"chase {count}" + (" +xlsx/ics" if attach else ""), "items": count,
            "seconds": round(real, 3), "per_second": round(count / real, 1),
            "baseline": "bare aiosmtplib loop, 1 reused connection", "baseline_seconds": round(bare, 3),
            "baseline_per_second": round(count / bare, 1), "ratio": round(bare / real, 3),
            "target": "(attachment cost, shown separately)" if attach else 0.70,
            **reference, "avg_message_bytes": int(size)}


if __name__ == "__main__":
    print(bench_chase(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, attach="--attach" in sys.argv))
