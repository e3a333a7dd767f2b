"""A throwaway PostgreSQL cluster for tests, from the machine's initdb and pg_ctl.

PostgreSQL refuses to run as root, so under root the cluster runs as the
``postgres`` system user (created by the Debian package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass(frozen=True)
class Binaries:
    initdb: str
    pg_ctl: str


def find_postgres() -> Binaries | None:
    """``initdb`` and ``pg_ctl`` from PATH or Debian's /usr/lib/postgresql/<v>/bin."""
    for folder in [None, *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        initdb = shutil.which("initdb", path=folder)
        pg_ctl = shutil.which("pg_ctl", path=folder)
        if initdb and pg_ctl:
            return Binaries(initdb, pg_ctl)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start on a free loopback port, trust auth, in a temp folder."""

    def __init__(self, binaries: Binaries):
        self.binaries = binaries
        # Not under pytest's tmp folder: that one is private to root, and the
        # server may run as another user.
        self.folder = Path(tempfile.mkdtemp(prefix="dondoc-pg-"))
        folder = self.folder
        self.data = folder / "data"
        self.port = _free_port()
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._prefix, *args], check=True, capture_output=True, cwd="/")

    def start(self) -> None:
        self._run(
            self.binaries.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            self.binaries.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut; returns once the server accepts connections again."""
        self._run(
            self.binaries.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log"), "-m", "fast", "-w", "restart"
        )

    def stop(self) -> None:
        self._run(self.binaries.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def started_cluster() -> PostgresCluster:
    """A running throwaway cluster; skips the test when PostgreSQL is missing — fails it under
    ``DONDOC_REQUIRE_POSTGRES=1`` (CI), where it must run."""
    from tests.support.needs import unavailable

    binaries = find_postgres()
    if binaries is None:
        unavailable("PostgreSQL binaries (initdb, pg_ctl)", "DONDOC_REQUIRE_POSTGRES")
    cluster = PostgresCluster(binaries)
    cluster.start()
    return cluster
