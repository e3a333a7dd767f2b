"""Shared fixtures: the shipped configuration, databases (SQLite, PostgreSQL), Prefect.

PostgreSQL: a throwaway cluster is started once per session from the
``initdb``/``pg_ctl`` on this machine (``scripts/test`` installs them with
apt-get). Without them the PostgreSQL tests skip — unless
``DONDOC_REQUIRE_POSTGRES=1`` (set by CI), where they fail.
"""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import datetime as dt  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from dondoc.config import load_catalog  # noqa: E402
from dondoc.db.engine import make_engine  # noqa: E402
from dondoc.db.migrate import upgrade  # noqa: E402
from dondoc.resources import shipped  # noqa: E402
from tests import figures  # noqa: E402
from tests.postgres import started_cluster  # noqa: E402

SHIPPED_CONFIG = shipped("config")


@pytest.fixture(autouse=True)
def _environment_restored():
    """No test leaves DONDOC_* (or anything else) changed in the environment for the next one."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def catalog():
    """The shipped configuration, loaded once."""
    return load_catalog(SHIPPED_CONFIG)


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped configuration."""
    target = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG, target)
    return target


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dondoc.sqlite3'}"


@pytest.fixture
def engine(sqlite_url: str):
    """A migrated SQLite database in a temporary folder."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster for the session (skips, or fails in CI, when unavailable)."""
    cluster = started_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(postgres, request) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres.create_database()


@pytest.fixture
def now() -> dt.datetime:
    """A fixed instant: 22/11/2026 08:00 in Hà Nội."""
    return dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (it costs 10–20 s to start)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


# -- the reliability figures (tests/figures.py), printed at the end of the session -------------------------------


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the tallies to the controller
        workeroutput["dondoc_figures"] = [(c, f, n) for (c, f), n in figures.tallies().items()]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    figures.merge(getattr(node, "workeroutput", {}).get("dondoc_figures", []))


def pytest_terminal_summary(terminalreporter):
    lines = figures.summary_lines()
    if lines:
        terminalreporter.section("dondoc reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
