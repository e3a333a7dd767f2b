"""Chasing: N reminders through dondoc vs bare aiosmtplib loops sending the same bytes, all in one run.

Everything goes to one local SMTP sink in another process
(:mod:`benchmarks.null_smtp`), whose own ceiling is measured first with a
bare pipelining client that does nothing else: a ratio is printed only when
the bare loops run well below that ceiling (else the sink, not the code, is
the limit, and the row says so).

Two figures for dondoc, each against two bare loops:

- **whole command**: ``dondoc chase`` run as a subprocess, from process start
  to exit (imports, config, plan, compose, queue, send, record); like every
  chase after the ``dondoc sync`` that made its deadlines, it finds the
  configuration cache that sync filled (keyed by the files' contents); the
  cold load of the configuration is timed apart and printed beside it;
- **sending core**: :func:`dondoc.chase.run_chase` in this process (plan,
  compose, queue, send, record; no start-up);
- baselines: the exact bytes the command queued, read back from its outbox,
  sent by a bare aiosmtplib loop over **one** reused connection, and over
  **four** (the size of dondoc's pool).

Targets: at 10,000 or more the whole command ≥ 0.70 × the four-connection
loop; below, ≥ 0.70 × the one-connection loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosmtplib

from benchmarks.data import province_config
from benchmarks.null_smtp import NullServer, sink_ceiling

__all__ = ["CONNECTIONS", "MORNING", "NullServer", "bench_chase", "prepared_chase"]

MORNING = dt.datetime(2021, 5, 5, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội, 10 working days before 19/5
CONNECTIONS = 4
KEY = "bench"
SINK_BOUND = 0.5  # a bare loop above this share of the sink's ceiling: the sink may be the limit, no ratio
POOLED_FROM = 10_000  # from this size the whole command is held against the four-connection loop


def _settings_env(root: Path, port: int, count: int, attach: bool) -> dict[str, str]:
    return {
        "DONDOC_DATA_DIR": str(root),
        "DONDOC_DATABASE_URL": f"sqlite:///{root / 'dondoc.sqlite3'}",
        "DONDOC_CONFIG_DIR": str(root / "config"),
        "DONDOC_SMTP_HOST": "127.0.0.1",
        "DONDOC_SMTP_PORT": str(port),
        "DONDOC_SMTP_CONNECTIONS": str(CONNECTIONS),
        "DONDOC_SMTP_RATE_LIMIT": str(count + 10),
        "DONDOC_HMAC_KEY": KEY,
        "DONDOC_MAIL_DOMAIN": "so.bench.example.org",
        "DONDOC_REPLY_LOCAL": "baocao",
        "DONDOC_MAIL_FROM": "dondoc@so.bench.example.org",
        "DONDOC_LOCAL_HOSTNAME": "bench.local",
        "DONDOC_ATTACH_FORMS": "true" if attach else "false",
        "DONDOC_COMPOSE_WORKERS": str(max(1, (os.cpu_count() or 2) - 1)),
        "DO_NOT_TRACK": "1",
    }


def prepared_chase(root: Path, count: int) -> Path:
    """A configuration of ``count`` districts under ``root/config``, a database synced from it
    (``root/dondoc.sqlite3``) and the configuration cache that sync leaves under the data directory
    (``root/cache``, as ``dondoc sync`` fills it); returns ``root``."""
    from sqlmodel import Session

    from dondoc.config import load_catalog
    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import upgrade
    from dondoc.sync import sync_catalog

    catalog = load_catalog(province_config(root / "config", count), cache_dir=root / "cache")
    engine = make_engine(f"sqlite:///{root / 'dondoc.sqlite3'}")
    upgrade(engine)
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=dt.datetime(2021, 3, 1, tzinfo=dt.UTC), horizon_days=400)
    engine.dispose()
    return root


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _command(root: Path, port: int, count: int, attach: bool) -> float:
    """``dondoc chase`` as a subprocess, from start to exit; checks that it sent ``count``."""
    env = {**os.environ, **_settings_env(root, port, count, attach)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "dondoc", "chase", "--now", MORNING.isoformat(), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    sent = figures.get("sent", figures.get("summary", {}).get("sent"))
    assert sent == count, result.stdout[-2000:]
    return seconds


def _core(root: Path, port: int, count: int, attach: bool) -> tuple[float, float]:
    """:func:`run_chase` in this process over the same kind of database; checks that it sent ``count``. Returns its
    seconds, and the seconds the configuration took to load and check without the cache (not in either figure)."""
    from sqlmodel import Session

    from dondoc.chase import MailSetup, run_chase
    from dondoc.config import load_catalog
    from dondoc.db.engine import make_engine
    from dondoc.mail.render import jinja_environment
    from dondoc.mail.transport import SmtpTransport
    from dondoc.policy import PolicyFile
    from dondoc.resources import shipped
    from dondoc.workdays import WorkCalendar

    started = time.perf_counter()
    catalog = load_catalog(root / "config")  # no cache: its cold cost, printed apart
    cold = time.perf_counter() - started
    engine = make_engine(f"sqlite:///{root / 'dondoc.sqlite3'}")
    setup = MailSetup(
        env=jinja_environment(shipped("templates")),
        sender="dondoc@so.bench.example.org",
        sender_name="Hệ thống đôn đốc báo cáo",
        domain="so.bench.example.org",
        reply_local="baocao",
        hmac_key=KEY.encode(),
        attach_files=attach,
    )
    transport = SmtpTransport(host="127.0.0.1", port=port, connections=CONNECTIONS, local_hostname="bench.local")
    with Session(engine) as session:
        started = time.perf_counter()
        report = run_chase(
            session=session,
            catalog=catalog,
            policy=PolicyFile(),
            calendar=WorkCalendar(),
            setup=setup,
            transport=transport,
            now=MORNING,
            limit=count + 10,
            worker="bench",
            workers=max(1, (os.cpu_count() or 2) - 1),
        )
        seconds = time.perf_counter() - started
    engine.dispose()
    assert report.sent == count, report.as_dict()
    return seconds, cold


def _queued(root: Path) -> list[tuple[str, list[str], bytes]]:
    import sqlite3

    with sqlite3.connect(root / "dondoc.sqlite3") as connection:
        rows = connection.execute("SELECT sender, recipients, raw FROM outbox WHERE status = 'sent' ORDER BY id")
        return [(sender, json.loads(recipients), raw) for sender, recipients, raw in rows]


async def _bare(port: int, envelopes: list[tuple[str, list[str], bytes]], connections: int) -> None:
    async def worker(chunk):
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="bench.local")
        await client.connect()
        for sender, recipients, raw in chunk:
            await client.sendmail(sender, recipients, raw)
        await client.quit()

    await asyncio.gather(*(worker(envelopes[i::connections]) for i in range(connections)))


def _rate(port: int, envelopes: list, connections: int) -> float:
    started = time.perf_counter()
    asyncio.run(_bare(port, envelopes, connections))
    return len(envelopes) / (time.perf_counter() - started)


def bench_chase(count: int, attach: bool = False) -> dict:
    """Time ``count`` reminders: the whole command, the sending core, two bare loops, and the sink's ceiling."""
    with tempfile.TemporaryDirectory() as folder, NullServer() as server:
        base = prepared_chase(Path(folder) / "base", count)
        command = _command(_copy(base, Path(folder) / "command"), server.port, count, attach)
        core, cold_config = _core(_copy(base, Path(folder) / "core"), server.port, count, attach)
        envelopes = _queued(Path(folder) / "command")
        assert len(envelopes) == count
        one = _rate(server.port, envelopes, 1)
        four = _rate(server.port, envelopes, CONNECTIONS)
        size = sum(len(raw) for *_, raw in envelopes) // count
        ceiling = sink_ceiling(server, envelopes[0][2], max(count, 5000))
    rates = {"command": count / command, "core": count / core}
    bare = {"1 connection": one, f"{CONNECTIONS} connections": four}
    sink_bound = max(bare.values()) > SINK_BOUND * ceiling
    ratios = {
        f"{name} / bare {label}": round(rate / base_rate, 3)
        for name, rate in rates.items()
        for label, base_rate in bare.items()
    }
    held = f"bare {CONNECTIONS} connections" if count >= POOLED_FROM else "bare 1 connection"
    return {
        "name": f"chase {count}" + (" +xlsx/ics" if attach else ""),
        "items": count,
        "seconds": round(command, 3),
        "per_second": round(rates["command"], 1),
        "baseline": f"{held} aiosmtplib loop, same bytes ({size:,} bytes a message on both sides)",
        "baseline_per_second": round(one if count < POOLED_FROM else four, 1),
        "ratio": None if sink_bound else ratios[f"command / {held}"],
        "target": "(attachment cost, shown separately)" if attach else 0.70,
        "core_seconds": round(core, 3),
        "core_per_second": round(rates["core"], 1),
        "bare_per_second": {label: round(rate, 1) for label, rate in bare.items()},
        "ratios": None if sink_bound else ratios,
        "sink_ceiling_per_second": round(ceiling, 1),
        "sink_bound": sink_bound,
        "avg_message_bytes": size,
        "config": f"the command finds the configuration cache that `dondoc sync` left (content-keyed); loading and "
        f"checking it without the cache takes {cold_config:.2f} s more (measured apart, in neither figure)",
    }


if __name__ == "__main__":
    print(
        json.dumps(
            bench_chase(int(sys.argv[1]) if len(sys.argv) > 1 else 1500, attach="--attach" in sys.argv), indent=1
        )
    )
