"""Prefect overhead: the chase and ingest flows through Prefect vs their tasks' functions called directly.

Same configuration, same database (two copies of one synced file), same
replies (two copies of one Maildir), same local SMTP server. Direct: the
flows' task functions (``queue.fn``, ``send.fn``, ``take_in_replies.fn``) in
a plain loop. Through Prefect: the flows themselves, against a local Prefect
server (``prefect_test_harness``, started before the clock starts: a server
runs all the time in production), with their task runs, logs and artifacts.
Ratio = Prefect time / direct time (target ≤ 1.3). The reminders go
without their .xlsx form and .ics (``DONDOC_ATTACH_FORMS=false``): that cost
is the same on both sides and would only dilute the ratio (the chase
benchmark shows it on its own).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.chase import MORNING, NullServer
from benchmarks.intake import KEY, prepared

__all__ = ["bench_prefect_overhead"]

REPLIES_AT = dt.datetime(2021, 5, 10, 2, tzinfo=dt.UTC)


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
    from dondoc.flows.chase import queue, send
    from dondoc.flows.ingest_replies import take_in_replies
    from dondoc.settings import Settings

    settings = Settings()
    _cold()
    started = time.perf_counter()
    report = queue.fn(settings, ChaseFilter(), MORNING, False, None)
    report = send.fn(settings, MORNING, report)
    chased = time.perf_counter() - started
    started = time.perf_counter()
    intake = take_in_replies.fn(settings, REPLIES_AT, count + 10)
    taken = time.perf_counter() - started
    return chased, taken, report.as_dict(), intake.as_dict()


def _through_prefect(count: int) -> tuple[float, float, dict, dict]:
    from dondoc.flows.chase import chase
    from dondoc.flows.ingest_replies import ingest_replies

    _cold()
    started = time.perf_counter()
    report = chase(now=MORNING)
    chased = time.perf_counter() - started
    started = time.perf_counter()
    intake = ingest_replies(limit=count + 10, now=REPLIES_AT)
    taken = time.perf_counter() - started
    return chased, taken, report, intake


def bench_prefect_overhead(count: int) -> list[dict]:
    """Two rows (chase, ingest): seconds direct, seconds through Prefect, their ratio."""
    from prefect.testing.utilities import prefect_test_harness

    with tempfile.TemporaryDirectory() as folder, NullServer() as server:
        root = Path(folder)
        for name in ("direct", "prefect"):
            shutil.copytree(prepared(count), root / name)
        with _environment({**_settings_env(root / "direct", server.port, count), "DO_NOT_TRACK": "1"}):
            direct = _direct(count)
        with _environment(
            {
                **_settings_env(root / "prefect", server.port, count),
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING",
            }
        ):
            with prefect_test_harness(server_startup_timeout=120):
                through = _through_prefect(count)
    assert direct[2]["sent"] == through[2]["sent"] == count, (direct[2], through[2])
    assert direct[3] == through[3] and direct[3].get("submission") == count, (direct[3], through[3])
    rows = []
    for index, name in ((0, "chase"), (1, "ingest")):
        rows.append(
            {
                "name": f"prefect overhead: {name} {count}",
                "items": count,
                "seconds": round(through[index], 3),
                "per_second": round(count / through[index], 1),
                "baseline": "the flow's task functions called directly",
                "baseline_seconds": round(direct[index], 3),
                "baseline_per_second": round(count / direct[index], 1),
                "ratio": round(through[index] / direct[index], 3),
                "target": "≤ 1.3",
                "limits_ok": through[index] / direct[index] <= 1.3,
            }
        )
    return rows


if __name__ == "__main__":
    import sys

    for row in bench_prefect_overhead(int(sys.argv[1]) if len(sys.argv) > 1 else 1000):
        print(row)
