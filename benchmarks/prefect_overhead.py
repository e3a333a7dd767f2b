"""Prefect overhead: the chase and ingest flows through Prefect vs their tasks' functions called directly.

Same configuration, same database (a fresh copy of one synced file for each
run), same replies (a fresh copy of one Maildir), same local SMTP server.
Direct: the functions the flows' tasks run (``queue_reminders``, ``deliver_outbox``,
``take_in``) in a plain loop. Through Prefect: the flows
themselves, as served runs execute them (heartbeats on, Prefect's default
every 180 s), against a local Prefect server (``prefect_test_harness``),
with their task runs, logs and artifacts. Ratio = Prefect time / direct time
(target ≤ 1.3).

The server is started and has answered one request before the clock starts:
a server runs all the time in production, and a freshly started one takes
0.4–0.9 s over its first request. Small sizes run ``ROUNDS`` rounds, each a
direct run then a Prefect run on fresh copies, and each side's figure is its
median: on a shared 2-CPU machine one run of about a second swings by ±50 %.
The first Prefect run of the process (lazy imports, first API client) is
printed apart. The reminders go without their .xlsx form and .ics
(``DONDOC_ATTACH_FORMS=false``): that cost is the same on both sides and
would only dilute the ratio (the chase benchmark shows it on its own).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.chase import MORNING, NullServer
from benchmarks.intake import KEY, prepared

__all__ = ["bench_prefect_overhead"]

REPLIES_AT = dt.datetime(2021, 5, 10, 2, tzinfo=dt.UTC)
ROUNDS = 5  # below ROUNDS_UNTIL items; one round above (a 10,000-item round takes minutes and swings less)
ROUNDS_UNTIL = 1000
PREFECT_ENV = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}


@contextmanager
def _environment(values: dict[str, str]):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _settings_env(copy: Path, port: int, count: int) -> dict[str, str]:
    return {
        "DONDOC_DATA_DIR": str(copy),
        "DONDOC_DATABASE_URL": f"sqlite:///{copy / 'dondoc.sqlite3'}",
        "DONDOC_CONFIG_DIR": str(copy / "config"),
        "DONDOC_MAILDIR": str(copy / "inbox"),
        "DONDOC_INBOX": "maildir",
        "DONDOC_SMTP_HOST": "127.0.0.1",
        "DONDOC_SMTP_PORT": str(port),
        "DONDOC_SMTP_RATE_LIMIT": str(4 * count),
        "DONDOC_HMAC_KEY": KEY.decode(),
        "DONDOC_MAIL_DOMAIN": "so.bench.example.org",
        "DONDOC_REPLY_LOCAL": "baocao",
        "DONDOC_MAIL_FROM": "dondoc@so.bench.example.org",
        "DONDOC_LOCAL_HOSTNAME": "bench.local",
        "DONDOC_ATTACH_FORMS": "false",
    }


def _cold() -> None:
    """Forget what the previous run computed in this process (the form cache), so both runs start equal."""
    from dondoc.documents.form import write_form

    write_form.cache_clear()


def _direct(count: int) -> tuple[float, float, dict, dict]:
    from dondoc.chase import ChaseFilter
    from dondoc.flows.chase import deliver_outbox, queue_reminders
    from dondoc.flows.ingest_replies import take_in
    from dondoc.settings import Settings

    settings = Settings()
    _cold()
    started = time.perf_counter()
    report = queue_reminders(settings, ChaseFilter(), MORNING, False, None)
    report = deliver_outbox(settings, MORNING, report)
    chased = time.perf_counter() - started
    started = time.perf_counter()
    intake = take_in(settings, REPLIES_AT, count + 10)
    taken = time.perf_counter() - started
    return chased, taken, report.as_dict(), intake.as_dict()


def _through_prefect(count: int) -> tuple[float, float, dict, dict]:
    from dondoc.flows.chase import chase
    from dondoc.flows.ingest_replies import ingest_replies

    _cold()
    started = time.perf_counter()
    report = asyncio.run(chase(now=MORNING))
    chased = time.perf_counter() - started
    started = time.perf_counter()
    intake = asyncio.run(ingest_replies(limit=count + 10, now=REPLIES_AT))
    taken = time.perf_counter() - started
    return chased, taken, report, intake


def _warm_server() -> None:
    """One request, so the server has served before the clock starts (as a server that runs all the time has)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.api_version()


def _rounds(count: int, rounds: int, root: Path, port: int) -> tuple[list, list]:
    """``rounds`` × (a direct run, then a Prefect run), each on its own fresh copy of the prepared data."""
    direct, through = [], []
    for index in range(rounds):
        for name in (f"direct{index}", f"prefect{index}"):
            shutil.copytree(prepared(count), root / name)
        with _environment(_settings_env(root / f"direct{index}", port, count)):
            direct.append(_direct(count))
        with _environment(_settings_env(root / f"prefect{index}", port, count)):
            through.append(_through_prefect(count))
        for name in (f"direct{index}", f"prefect{index}"):
            shutil.rmtree(root / name)
    return direct, through


def bench_prefect_overhead(*counts: int, rounds: int | None = None) -> list[dict]:
    """Two rows (chase, ingest) per count: seconds direct, seconds through Prefect (medians over the rounds), their
    ratio. One Prefect server for all the counts (it takes 10-20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    rows = []
    with tempfile.TemporaryDirectory() as folder, NullServer() as server, _environment(PREFECT_ENV):
        with prefect_test_harness(server_startup_timeout=120):
            _warm_server()
            for count in counts:
                runs = rounds or (ROUNDS if count <= ROUNDS_UNTIL else 1)
                direct, through = _rounds(count, runs, Path(folder), server.port)
                rows += _rows(count, runs, direct, through)
    return rows


def _rows(count: int, rounds: int, direct: list, through: list) -> list[dict]:
    for d, t in zip(direct, through, strict=True):
        assert d[2]["sent"] == t[2]["sent"] == count, (d[2], t[2])
        assert d[3] == t[3] and d[3].get("submission") == count, (d[3], t[3])
    rows = []
    for index, name in ((0, "chase"), (1, "ingest")):
        flow_seconds = statistics.median(t[index] for t in through)
        task_seconds = statistics.median(d[index] for d in direct)
        rows.append(
            {
                "name": f"prefect overhead: {name} {count}",
                "items": count,
                "seconds": round(flow_seconds, 3),
                "per_second": round(count / flow_seconds, 1),
                "baseline": "the flow's task functions called directly",
                "baseline_seconds": round(task_seconds, 3),
                "baseline_per_second": round(count / task_seconds, 1),
                "ratio": round(flow_seconds / task_seconds, 3),
                "target": "≤ 1.3",
                "limits_ok": flow_seconds / task_seconds <= 1.3,
                "rounds": rounds,
                "note": (
                    f"median of {rounds} rounds (direct, then Prefect; fresh data each): flow runs "
                    f"{', '.join(f'{t[index]:.2f}' for t in through)} s, task functions "
                    f"{', '.join(f'{d[index]:.2f}' for d in direct)} s; the first flow run of the process pays "
                    "Prefect's lazy imports and first API client"
                    if rounds > 1
                    else "one round: direct, then Prefect, fresh data each"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    import sys

    for row in bench_prefect_overhead(*(int(a) for a in sys.argv[1:] or ["300"])):
        print(row)
