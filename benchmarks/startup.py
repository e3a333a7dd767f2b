"""Start-up: ``dondoc chase`` with nothing to send, on the shipped configuration, as a subprocess (target < 0.5 s).

The data directory is synced first, and one run fills the configuration cache
(as the first run after a change of the configuration does); then the median
of five runs is the figure. The moment is a working morning once everything
due has been sent (it plans from the database, then finds nothing to send):
the shipped schedule chases at 08:00 on working days, so that is the no-op a
scheduled run meets. Printed beside it, not held to the target: the same
command on a Sunday morning, when no reminder may go out and the outbox is
empty (docs/chasing.md, "Nothing to do": it decides so without loading the
database layer). The baseline is ``python -c pass``: the interpreter's own
start-up, measured in the same run.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.null_smtp import NullServer

__all__ = ["bench_startup"]

SUNDAY = "2026-12-06T09:00"  # a day off: nothing is due, nothing is sent
WORKING_DAY = "2026-12-08T09:00"  # a Tuesday morning: the shipped plans have reminders due (sent by a first run)
TARGET = 0.5


def _timed(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    return seconds


def _planned(args: list[str], env: dict, database: Path) -> float:
    """``args`` timed after the chase horizon was deleted: the chase plans from the database."""
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM chase_horizon")
    connection.close()
    return _timed(args, env)


def bench_startup(runs: int = 5) -> dict:
    """Median seconds of a no-op ``dondoc chase``; the interpreter's start-up beside it."""
    with tempfile.TemporaryDirectory() as folder, NullServer() as sink:
        env = {
            **os.environ,
            "DONDOC_DATA_DIR": folder,
            "DONDOC_HMAC_KEY": "bench",
            "DONDOC_SMTP_HOST": "127.0.0.1",
            "DONDOC_SMTP_PORT": str(sink.port),
            "DO_NOT_TRACK": "1",
        }
        for name in ("DONDOC_CONFIG_DIR", "DONDOC_DATABASE_URL", "DONDOC_TEMPLATES_DIR"):
            env.pop(name, None)
        command = [sys.executable, "-m", "dondoc"]
        _timed([*command, "sync", "--now", SUNDAY], env)
        _timed([*command, "chase", "--now", SUNDAY, "--format", "json"], env)  # fills the configuration cache
        sunday = statistics.median(
            _timed([*command, "chase", "--now", SUNDAY, "--format", "json"], env) for _ in range(runs)
        )
        bare = statistics.median(_timed([sys.executable, "-c", "pass"], env) for _ in range(runs))
        agencies = len(list(Path(folder).glob("cache/catalog-*.pickle")))
        working = [*command, "chase", "--now", WORKING_DAY, "--format", "json"]
        _timed(working, env)  # sends what is due, and stores the horizon
        chase = statistics.median(_timed(working, env) for _ in range(runs))
        database = Path(folder) / "dondoc.sqlite3"
        planned = statistics.median(_planned(working, env, database) for _ in range(runs))
    return {
        "name": "no-op chase, shipped config",
        "items": 1,
        "seconds": round(chase, 3),
        "baseline": "python -c pass (the interpreter's start-up)",
        "baseline_seconds": round(bare, 3),
        "ceiling": f"interpreter start-up {bare:.3f} s (median of {runs})",
        "target": f"< {TARGET} s",
        "limits_ok": chase < TARGET,
        "note": f"median of {runs} runs, a working morning once everything due was sent (answered from the chase "
        f"horizon, nothing to send); configuration cache {'used' if agencies else 'NOT written'}; planning from the "
        f"database instead (horizon deleted): {planned:.3f} s; on a Sunday (no reminder may go out, the outbox "
        f"empty, no horizon yet): {sunday:.3f} s (neither held to the target)",
    }


if __name__ == "__main__":
    print(bench_startup())
