"""``python -m benchmarks --quick`` runs every benchmark at small sizes and exits 0: a smoke test, not a timing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_benchmarks_run_and_check_their_results(tmp_path):
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(tmp_path / "bench.json")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    names = " | ".join(r["name"] for r in figures["results"])
    for kind in (
        "planning",
        "chase",
        "+xlsx/ics",
        "intake",
        "report",
        "console",
        "prefect overhead: chase",
        "prefect overhead: ingest",
    ):
        assert kind in names, names
    assert all(r["seconds"] > 0 for r in figures["results"])
    assert "figures in" in result.stdout


def test_planning_into_postgresql_writes_nothing_on_resync_and_only_moved_rows(pg_url):
    from benchmarks.planning import bench_planning

    rows = {r["name"].split(": ", 1)[1]: r for r in bench_planning(3, database_url=pg_url)}
    assert rows["first sync"]["items"] == 3 * 930
    assert rows["re-sync, no change"]["note"] == "0 rows written"
    assert rows["re-sync, one date moved"]["checks_ok"] and rows["re-sync, one date moved"]["items"] == 140


def test_dondoc_bench_runs_the_checkouts_benchmarks_from_any_folder(tmp_path):
    """``dondoc bench`` starts ``python -m benchmarks`` of this checkout as a child process (the package never imports
    the benchmarks): its arguments reach the benchmarks' own parser, from a folder outside the checkout."""
    dondoc = Path(sys.executable).with_name("dondoc")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(dondoc), "bench", "--only", "nothing"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "python -m benchmarks: error: argument --only" in result.stderr, result.stderr
