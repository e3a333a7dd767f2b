"""The wheel as a user installs it: ``pip install`` of the built wheel into a fresh virtual environment.

It holds one top-level import name, ``dondoc`` (``dondoc.db``, ``dondoc.flows`` and ``dondoc.deployments`` come
from the repository's db/, flows/ and deployments/ through the symlinks under dondoc/; config/ and templates/ are
package data), no ``benchmarks``; and from a folder outside the checkout, ``dondoc --help``, ``dondoc demo``, the
deployments and ``dondoc serve`` (its Prefect server's scheduler runs a flow by itself) work. Needs the package
index (hatchling to build, the dependencies to install): skipped without one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.prefect_api import alive, by_the_scheduler, command_line, descendants, flow_runs, wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _run(argv: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    probe = _run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", out / "probe", "hatchling"], timeout=300
    )
    if probe.returncode != 0:
        pytest.skip(f"no package index reachable: {probe.stderr.strip()[-300:]}")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT], timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [path] = out.glob("dondoc-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (pinned by constraints.txt); its bin/ folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    done = _run([bin_dir / "python", "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel], timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return bin_dir


def _outside(tmp_path: Path) -> dict[str, str]:
    """An environment for a user's shell outside the checkout: no DONDOC_* setting, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "PREFECT_")) and k != "PYTHONPATH"}
    return {
        **env,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "HOME": str(tmp_path),
        # the demo's throw-away Prefect server may take longer than its default 20 s to start on a busy CI
        # machine (seen here with two CPUs shared by other test runs)
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }


def test_the_wheel_holds_only_dondoc(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"dondoc", wheel.name.split("-py")[0] + ".dist-info"}
    for inside in (
        "dondoc/db/tables.py",
        "dondoc/db/migrations/env.py",
        "dondoc/db/migrations/script.py.mako",
        "dondoc/flows/chase.py",
        "dondoc/deployments/serve.py",
        "dondoc/deployments/prefect.yaml",
        "dondoc/_data/config/policy.yaml",
        "dondoc/_data/templates/report/bao-cao-tong-hop.docx",
    ):
        assert inside in names
    assert not any("benchmarks" in n for n in names)
    # scripts/make_report_template.py is a build tool of the repository, not data
    assert not any(n.endswith(("make_template.py", "make_report_template.py")) for n in names)


def test_installing_leaves_only_dondoc_in_site_packages(installed, tmp_path):
    """What pip installed for the distribution (its RECORD): under site-packages, only ``dondoc/`` and its
    dist-info; outside it, only the ``dondoc`` script in bin/."""
    code = (
        "import importlib.metadata as m, sysconfig; "
        "print(sysconfig.get_paths()['purelib']); "
        "[print(f) for f in m.files('dondoc')]"
    )
    listed = _run([installed / "python", "-c", code], cwd=tmp_path, env=_outside(tmp_path), timeout=120)
    assert listed.returncode == 0, listed.stderr
    site, *files = listed.stdout.splitlines()
    inside = {f.split("/")[0] for f in files if not f.startswith("..")}
    [dist_info] = [name for name in inside if name.endswith(".dist-info")]
    assert inside == {"dondoc", dist_info}
    assert {Path(site, f).resolve() for f in files if f.startswith("..")} == {(installed / "dondoc").resolve()}
    # and nothing else of ours sits at the top of site-packages (no db, flows, deployments, benchmarks)
    assert not {"db", "flows", "deployments", "benchmarks"} & {p.name for p in Path(site).iterdir()}


def test_installed_wheel_runs_from_outside_the_checkout(installed, tmp_path):
    env = _outside(tmp_path)
    helped = _run([installed / "dondoc", "--help"], cwd=tmp_path, env=env, timeout=120)
    assert helped.returncode == 0, helped.stderr
    assert "demo" in helped.stdout and "serve" in helped.stdout
    # the deployments and their schedules load from the installed package (module-path entrypoints)
    code = (
        "from dondoc.deployments.serve import deployments; "
        "print(sorted((d.name, d.entrypoint) for d in deployments({})))"
    )
    built = _run([installed / "python", "-c", code], cwd=tmp_path, env=env, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "('working-days', 'dondoc.flows.chase.chase')" in built.stdout
    # nothing of the checkout is importable: the bare names are not installed
    bare = _run([installed / "python", "-c", "import db"], cwd=tmp_path, env=env, timeout=60)
    assert "No module named 'db'" in bare.stderr
    bench = _run([installed / "dondoc", "bench", "--quick"], cwd=tmp_path, env=env, timeout=120)
    assert bench.returncode == 1 and "source checkout" in bench.stderr
    assert len(bench.stderr.strip().splitlines()) == 1, bench.stderr


def test_installed_wheel_plays_the_demo(installed, tmp_path):
    played = _run(
        [installed / "dondoc", "demo", "--dir", tmp_path / "season"], cwd=tmp_path, env=_outside(tmp_path), timeout=900
    )
    assert played.returncode == 0, played.stdout[-3000:] + played.stderr[-3000:]
    assert "Báo cáo tổng hợp / consolidated report" in played.stdout
    assert list((tmp_path / "season").rglob("*.docx"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_groups(pids: set[int]) -> None:
    """SIGKILL to the process group of each of ``pids`` still alive (the cleanup of a test that failed midway)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)


def test_installed_wheel_serves_and_the_scheduler_runs_a_flow(installed, tmp_path):
    """``dondoc serve`` of the wheel, from outside the checkout: it starts the venv's Prefect server, and the server's
    scheduler (nothing triggered by hand) creates a sync-plans run on a slot of the schedule, which completes and fills
    dondoc's database. sync-plans is shortened with the documented ``DONDOC_SCHEDULE_SYNC_PLANS=every 20s``; the other
    schedules are off so that only one flow runs."""
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **_outside(tmp_path),
        "DONDOC_DATA_DIR": str(tmp_path / "data"),
        "DONDOC_SCHEDULE_SYNC_PLANS": "every 20s",
        "DONDOC_SCHEDULE_CHASE": "off",
        "DONDOC_SCHEDULE_INGEST_REPLIES": "off",
        "DONDOC_SCHEDULE_STATUS_DIGEST": "off",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"

    def log() -> str:
        return out.read_text() + err.read_text()[-12000:]

    with open(out, "w") as stdout, open(err, "w") as stderr:
        serve = subprocess.Popen(
            [str(installed / "dondoc"), "serve", "--port", str(port)],
            env=env,
            stdout=stdout,
            stderr=stderr,
            cwd=tmp_path,
            start_new_session=True,
        )
    started: set[int] = set()
    try:
        wait_for(lambda: "Prefect UI:" in out.read_text() or serve.poll() is not None, 240, log)
        assert serve.poll() is None, log()
        assert "sync-plans/daily: mỗi 20 giây / every 20 s" in out.read_text(), log()
        started = descendants(serve.pid)
        lines = [command_line(pid) for pid in started]
        # the server and the runner are the wheel's: the venv's Python, nothing of the checkout
        assert any(f"{installed}/python -m prefect server start" in line for line in lines), lines
        assert any(f"{installed}/python -m dondoc.deployments.serve" in line for line in lines), lines

        def completed_sync() -> list[dict]:
            return [
                r
                for r in flow_runs(api)
                if r["deployment"] == "sync-plans/daily" and by_the_scheduler(r) and r["state_type"] == "COMPLETED"
            ]

        [run, *_] = wait_for(
            completed_sync,
            180,
            lambda: f"{[(r['deployment'], r['state_name'], r['created_by']) for r in flow_runs(api)]}\n{log()}",
        )
        # the run sits on a slot of the deployment's interval schedule, as the server's scheduler placed it
        [schedule] = [
            s["schedule"] for s in httpx.get(f"{api}/deployments/{run['deployment_id']}/schedules", timeout=30).json()
        ]
        assert schedule["interval"] == 20, schedule
        offset = dt.datetime.fromisoformat(run["expected_start_time"]) - dt.datetime.fromisoformat(
            schedule["anchor_date"]
        )
        assert offset.total_seconds() % 20 == 0, (run["expected_start_time"], schedule["anchor_date"])
        assert "auto-scheduled" in run["tags"], run["tags"]
        # nobody triggered anything: every run there is comes from the schedule
        assert all(by_the_scheduler(r) for r in flow_runs(api))
        # and the run did its job in dondoc's own database (the shipped config's plans, materialised)
        with sqlite3.connect(tmp_path / "data" / "dondoc.sqlite3") as db:
            assert db.execute("select count(*) from deadline").fetchone()[0] > 0

        started |= descendants(serve.pid)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=120) == 0, log()
        wait_for(
            lambda: not any(alive(pid) for pid in started),
            30,
            lambda: "survivors: " + str({pid: command_line(pid) for pid in started if alive(pid)}),
        )
    finally:
        _kill_groups({serve.pid, *started})
        serve.wait()
