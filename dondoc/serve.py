"""``dondoc serve``: everything one machine needs to run dondoc on its schedules, in one command.

It takes a lock on the data dir (one ``dondoc serve`` per data dir), then either joins the Prefect server that
``PREFECT_API_URL`` names (it must answer within the wait) or starts ``prefect server start`` on 127.0.0.1 as a
child process, with ``PREFECT_HOME`` in ``<data dir>/prefect`` so its database (the runs, their history) persists.
It then runs Prefect's runner for every deployment with its schedule (``python -m deployments.serve``, a child
process) until Ctrl-C or SIGTERM, and stops what it started before returning: the runner and its flow runs
(SIGTERM, then SIGKILL after a grace period) and the server's whole process group. If the runner or the server
stops by itself, dondoc serve stops the other and says so in one line.

A server started here schedules one run ahead per schedule (``PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS`` and
``…_MAX_RUNS`` = 1, unless set in the environment): after the machine was off, each deployment has at most one
missed run, which runs once when dondoc serve is back (see the README, "Prefect").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from dondoc.errors import ServeError
from dondoc.processes import signal_on_parent_death

__all__ = [
    "SERVER_SETTINGS",
    "Server",
    "api_answers",
    "client_settings",
    "data_dir_lock",
    "port_in_use",
    "serve",
    "start_runner",
    "start_server",
    "stop_runner",
    "stop_server",
]

HOST = "127.0.0.1"
# What a server started by dondoc serve (or run.sh) runs with, unless the environment says otherwise: one run ahead
# per schedule, so that a machine that was off catches up once, not once per missed slot.
SERVER_SETTINGS = {"PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS": "1", "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS": "1"}
_QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
_TRUE = frozenset({"1", "true", "yes", "on", "t", "y"})


def client_settings(environ: MutableMapping[str, str]) -> dict[str, str]:
    """What the runner and its flow runs set for their Prefect clients when the server was started here (the
    environment's own values win).

    Such a server has no CSRF protection (Prefect's default, unless ``PREFECT_SERVER_CSRF_PROTECTION_ENABLED`` says
    otherwise), so a client need not ask it for a token before its first write: one ``GET /api/csrf-token`` less
    per flow run (5–25 ms measured). A server dondoc serve joins (``PREFECT_API_URL``) may protect itself: its
    clients keep Prefect's default.
    """
    if environ.get("PREFECT_SERVER_CSRF_PROTECTION_ENABLED", "").strip().lower() in _TRUE:
        return {}
    return {"PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false"}


class _Stopped(BaseException):
    """SIGTERM arrived: stop what was started, then return."""


@dataclass
class Server:
    """The Prefect API dondoc serve talks to; ``process`` is set when dondoc serve started it."""

    api_url: str
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/").removesuffix("/api")


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[Path]:
    """Hold ``<data dir>/serve.lock`` (flock) for the duration; a second holder gets a :class:`ServeError`."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / "serve.lock"
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 — held open for the lock's whole life, closed below
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise ServeError(
                f"dondoc serve đã chạy trên thư mục dữ liệu {data_dir} (pid {holder}) / dondoc serve "
                "already runs on this data dir; dừng nó trước / stop it first"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()  # releases the lock


def port_in_use(port: int, host: str = HOST) -> bool:
    """Whether something already listens on ``host:port`` (we could not bind it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port left in TIME_WAIT is free to listen on
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def api_answers(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers ``GET <api_url>/health``."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, ValueError):
        return False


def _last_line(log: Path | None) -> str:
    if log is None:
        return ""
    try:
        lines = [
            line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
        ]
    except OSError:
        return ""
    return lines[-1][:200] if lines else ""


def _wait_until_answering(server: Server, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
    deadline = time.monotonic() + seconds
    while not api_answers(server.api_url):
        if server.process is not None and server.process.poll() is not None:
            raise ServeError(
                f"máy chủ Prefect đã dừng khi khởi động / the Prefect server exited while starting "
                f"(mã / code {server.process.returncode}): {_last_line(server.log)} — xem / see "
                f"{server.log}"
            )
        if time.monotonic() > deadline:
            where = f"; xem / see {server.log}" if server.log else ""
            raise ServeError(
                f"máy chủ Prefect không trả lời / the Prefect API does not answer at {server.api_url} "
                f"sau / after {seconds:.0f} s{where}"
            )
        sleep(0.5)


def _die_with_parent() -> None:  # pragma: no cover — runs in the child between fork and exec
    """Linux: the server gets SIGTERM if dondoc serve dies without cleaning up (kill -9)."""
    signal_on_parent_death(signal.SIGTERM)


def start_server(home: Path, port: int, env: MutableMapping[str, str], wait_seconds: float) -> Server:
    """``prefect server start`` on 127.0.0.1:``port`` with ``PREFECT_HOME=home``, in its own process group; returns
    once its API answers (or raises :class:`ServeError` and leaves nothing running)."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    child_env = {key: value for key, value in env.items() if key != "PREFECT_API_URL"}
    child_env.update(_QUIET, PREFECT_HOME=str(home))
    for key, value in SERVER_SETTINGS.items():
        child_env.setdefault(key, value)
    log = home / "server.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)],
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=home,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    server = Server(api_url=f"http://{HOST}:{port}/api", process=process, log=log)
    try:
        _wait_until_answering(server, wait_seconds)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server, grace: float = 20.0) -> None:
    """SIGTERM to the server's process group, then SIGKILL after ``grace`` seconds: nothing of it is left."""
    process = server.process
    if process is None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
        if process.poll() is not None and not _group_alive(process.pid):
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _raise_stopped(signum, frame) -> None:
    raise _Stopped()


def _tree(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def start_runner(environ: MutableMapping[str, str]) -> subprocess.Popen:
    """Prefect's runner for every deployment (``python -m deployments.serve``) in its own process group; it and its
    flow runs inherit ``environ`` (``PREFECT_API_URL`` and the ``DONDOC_*`` settings) and the terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "dondoc.deployments.serve"],
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )


def stop_runner(runner: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM (Prefect's runner then cancels the runs in flight), then, after ``grace`` seconds, SIGKILL to what is
    left of it and of every process it started: the runner's shutdown is bounded whatever its runs do."""
    below = _tree(runner.pid)
    with contextlib.suppress(ProcessLookupError):
        runner.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        runner.wait(timeout=grace)
    below |= _tree(runner.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(runner.pid, signal.SIGKILL)
    for pid in below:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    runner.wait()


def serve(
    data_dir: Path, port: int, wait_seconds: float, environ: MutableMapping[str, str], say: Callable[[str], None]
) -> None:
    """Serve every deployment with its schedule until Ctrl-C / SIGTERM (see the module docstring).

    ``environ`` is the process environment (``os.environ`` from the CLI); the runner gets a copy with
    ``PREFECT_API_URL`` (and ``PREFECT_HOME`` for a server started here). ``say`` prints one line. Raises
    :class:`ServeError` when it cannot start, or when the server or the runner stops by itself (after stopping the
    other).
    """
    from dondoc.schedules import planned

    entries = planned(environ)  # a bad DONDOC_SCHEDULE_* fails here, before anything starts
    home = data_dir.resolve() / "prefect"
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    server: Server | None = None
    runner: subprocess.Popen | None = None
    try:
        with data_dir_lock(data_dir):
            server = _connect(home, port, wait_seconds, environ)
            child = dict(environ, PREFECT_API_URL=server.api_url, **_QUIET)
            if server.process is not None:
                child["PREFECT_HOME"] = str(home)
                for key, value in client_settings(environ).items():
                    child.setdefault(key, value)
            say(
                f"Giao diện Prefect / Prefect UI: {server.ui_url}"
                + ("" if server.process else " (máy chủ có sẵn / an existing server)")
            )
            for entry in entries:
                say(f"  {entry.flow_name}/{entry.name}: {entry.schedule_text}")
            say("Dừng / stop: Ctrl-C")
            runner = start_runner(child)
            _supervise(server, runner)
    except (_Stopped, KeyboardInterrupt):
        pass
    finally:
        # a second Ctrl-C or SIGTERM must not cut the cleanup short and leave a process behind
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if runner is not None:
                stop_runner(runner)
            if server is not None:
                stop_server(server)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)


def _supervise(server: Server, runner: subprocess.Popen, sleep: Callable[[float], None] = time.sleep) -> None:
    """Until a signal: if the runner or the server started here ends by itself, that is an error."""
    while True:
        if runner.poll() is not None:
            raise ServeError(
                f"Prefect runner đã dừng / the Prefect runner stopped (mã / code {runner.returncode}); "
                "xem thông báo ở trên / see the messages above"
            )
        if server.process is not None and server.process.poll() is not None:
            raise ServeError(
                f"máy chủ Prefect đã dừng / the Prefect server stopped (mã / code "
                f"{server.process.returncode}): {_last_line(server.log)} — xem / see {server.log}"
            )
        sleep(1.0)


def _connect(home: Path, port: int, wait_seconds: float, environ: MutableMapping[str, str]) -> Server:
    joined = environ.get("PREFECT_API_URL", "").strip()
    if joined:
        server = Server(api_url=joined)
        _wait_until_answering(server, wait_seconds)
        return server
    if port_in_use(port):
        hint = (
            f"; một máy chủ Prefect đang chạy ở đó / a Prefect server runs there: PREFECT_API_URL=http://{HOST}:"
            f"{port}/api để dùng nó / to join it"
            if api_answers(f"http://{HOST}:{port}/api")
            else ""
        )
        raise ServeError(
            f"cổng / port {port} trên / on {HOST} đang được dùng / is already in use; chọn cổng khác / "
            f"choose another with --port{hint}"
        )
    return start_server(home, port, environ, wait_seconds)
